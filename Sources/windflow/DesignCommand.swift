import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

struct DesignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Describe an automation in prose and get a validated workflow proposal.",
        discussion: """
            The request goes to the configured model (or, with none, to the offline template planner); its answer is \
            validated against the node registry, fixed where the fix is unambiguous, and sent back with the \
            validator's messages for at most --max-repairs rounds. The result is stored as a proposal: nothing runs \
            until it is accepted ('windflow proposals accept ID', or --accept here). Exits 1 when the proposal is not valid.
            """)

    @Argument(help: "What the workflow should do, in your words.")
    var prose: String

    @Option(help: "Change this workflow instead (a file, or the name of a stored workflow).")
    var edit: String?

    @Option(help: "Also write the proposed workflow (YAML) to this file.")
    var out: String?

    @Flag(help: "Accept the proposal at once when it is valid: it becomes a new workflow version.")
    var accept = false

    @Flag(help: "With --accept: also activate the workflow, so its triggers fire.")
    var activate = false

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @OptionGroup var designerOptions: DesignerOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let database = try await store.openStore()
        let proposals = await Proposals(store: database, designer: try designerOptions.designer(store: database))
        var current: Workflow?
        if let edit {
            if FileManager.default.fileExists(atPath: edit) {
                current = try WorkflowFile.read(edit).load().workflow
            } else {
                guard let stored = try await database.workflow(edit, version: nil) else { throw CLIError("--edit \(edit): no such file or stored workflow") }
                current = stored.workflow
            }
        }
        let recommendations = proposals.designer.recommender.recommend(prose, limit: 3)
        if format == .text, !recommendations.isEmpty {
            printError("templates that fit: " + recommendations.map { "\($0.id) (\(String(format: "%.1f", $0.score)))" }.joined(separator: ", "))
        }
        let proposal: ProposalRecord
        let design: Design
        do {
            (proposal, design) = try await proposals.propose(prose, editing: current, progress: format == .text ? printDesignProgress : nil)
        } catch let error as LLMError {
            throw CLIError("\(error)\n(to design without a model: --provider offline)")
        } catch {
            throw CLIError("\(error)")
        }
        if let out, let definition = proposal.definition {
            do { try definition.write(toFile: out, atomically: true, encoding: .utf8) } catch { throw CLIError("\(out): cannot be written (\(error.localizedDescription))") }
        }
        var accepted: WorkflowRecord?
        if accept, proposal.valid {
            do { accepted = try await proposals.accept(proposal.id, activate: activate) } catch { throw CLIError("\(error)") }
        }
        switch format {
        case .json:
            var value = ProposalPresenter.json(proposal)
            if let accepted, case .object(var object) = value {
                object["accepted"] = ["workflow_id": .string(accepted.id), "version": .int(accepted.version), "active": .bool(accepted.active)]
                value = .object(object)
            }
            writeLine(value.prettyJSONText)
        case .text:
            writeLine(ProposalPresenter.text(proposal, showDefinition: out == nil))
            if let best = design.recommendations.first, proposal.provider != "offline" || !proposal.model.hasSuffix(best.id) {
                writeLine("compare with the \(best.source) '\(best.id)' (\(best.reason)): windflow templates show \(best.id)")
            }
            if let accepted {
                writeLine("accepted: \(accepted.name) version \(accepted.version)\(accepted.active ? ", active" : "")")
            } else if proposal.valid {
                writeLine("accept it with: windflow proposals accept \(proposal.id)")
            }
        }
        if !proposal.valid { throw ExitCode(1) }
    }
}

/// How proposals read on the terminal and in JSON.
enum ProposalPresenter {
    static func json(_ proposal: ProposalRecord) -> JSONValue { proposal.jsonValue }

    static func text(_ proposal: ProposalRecord, showDefinition: Bool) -> String {
        var lines = ["proposal \(proposal.id): \(proposal.workflowName) — \(proposal.valid ? "valid" : "NOT valid") (\(proposal.status.rawValue))"]
        let rounds = proposal.rounds.arrayValue?.count ?? 0
        lines.append("  \(proposal.provider)/\(proposal.model), \(rounds) round(s), \(proposal.promptTokens) + \(proposal.completionTokens) tokens, \(String(format: "%.1f", proposal.latencyMs / 1000)) s")
        if !proposal.explanation.isEmpty { lines.append("  " + proposal.explanation) }
        for assumption in proposal.assumptions { lines.append("  assumed: " + assumption) }
        for problem in proposal.report.arrayValue ?? [] {
            let severity = problem["severity"]?.stringValue ?? ""
            lines.append("  \(severity)[\(problem["code"]?.stringValue ?? "")] \(problem["path"]?.stringValue ?? ""): \(problem["message"]?.stringValue ?? "")")
        }
        if let diff = proposal.diff {
            lines.append("changes:")
            lines += diff.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  ") }.map { "  " + $0 }
        } else if showDefinition, let definition = proposal.definition {
            lines.append(definition.trimmingCharacters(in: .newlines))
        }
        return lines.joined(separator: "\n")
    }
}
