import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

struct SuggestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest", abstract: "Fix suggestions for a failed run; apply one as a new version.",
        subcommands: [Fix.self, Optimize.self, Apply.self, List.self])

    struct Optimize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Optimizations mined from a workflow's stored runs, best first.",
            discussion: """
                Per node: runs, failures, retries, duration p50 / p95; the critical path; then suggestions, each a \
                validated JSON Patch with its evidence and estimated benefit: read-only steps waiting for what they do \
                not read, flaky steps without a retry policy, timeouts far from real durations, overlapping scheduled runs.
                """)
        @Argument(help: "The workflow (id or name).") var workflow: String
        @Option(help: "text or json.") var format: OutputFormat = .text
        @Flag(help: "Also ask the configured model for a plain-words account of the findings (the figures stay the measured ones).")
        var narrate = false
        @OptionGroup var designerOptions: DesignerOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let analysis: Optimizer.Analysis
            let database = try await store.openStore()
            do { analysis = try await Optimizer(store: database).analyse(workflow) } catch { throw CLIError("\(error)") }
            var narrative: [String] = []
            if narrate {
                do { narrative = try await Optimizer(store: database).narrative(for: analysis.offered, workflow: workflow, designer: try designerOptions.designer(store: database)) } catch {
                    printError("no narrative: \(error)")
                }
            }
            if format == .json {
                return writeLine(JSONValue.object([
                    "critical_path": .array(analysis.criticalPath.map { .string($0) }), "critical_path_ms": .double(analysis.criticalPathMs.rounded()),
                    "nodes": .object(analysis.statistics.mapValues { s in
                        ["attempts": .int(s.attempts), "succeeded": .int(s.succeeded), "failed": .int(s.failed),
                         "succeeded_after_retry": .int(s.succeededAfterRetry), "p50_ms": s.p50.map { .double($0) } ?? .null,
                         "p95_ms": s.p95.map { .double($0) } ?? .null]
                    }),
                    "suggestions": .array(analysis.offered.map(\.jsonValue)),
                    "dropped": .array(analysis.dropped.map { ["title": .string($0.title), "reason": .string($0.reason)] }),
                    "narrative": .array(narrative.map { .string($0) }),
                ]).prettyJSONText)
            }
            for line in narrative { writeLine(line) }
            writeLine("critical path: \(analysis.criticalPath.joined(separator: " → ")) (\(Int(analysis.criticalPathMs)) ms by medians)")
            for (node, s) in analysis.statistics.sorted(by: { $0.key < $1.key }) {
                writeLine("  \(node): \(s.attempts) attempts, \(s.failed) failed, \(s.succeededAfterRetry) after retry, p50 \(s.p50.map { "\(Int($0)) ms" } ?? "–"), p95 \(s.p95.map { "\(Int($0)) ms" } ?? "–")")
            }
            if analysis.offered.isEmpty { writeLine("no optimization to suggest from these runs") }
            for suggestion in analysis.offered { writeLine(SuggestionPresenter.text(suggestion)) }
            for dropped in analysis.dropped { writeLine("dropped: \(dropped.title) — \(dropped.reason)") }
        }
    }

    struct Fix: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suggest fixes for a failed execution.",
            discussion: """
                Deterministic rules first (timeouts, transient failures, credentials, hosts, paths, statuses, fields, \
                SQL, git, Docker, object storage…; docs/ADVICE.md), then the configured model when no rule applies. A fix \
                is a JSON Patch that was applied and validated (the ones that would not validate are listed as dropped); \
                an action is something to do outside the workflow, with the exact commands, never applied.
                """)
        @Argument(help: "The failed execution's id (or a unique prefix).") var execution: String
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var designerOptions: DesignerOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            let designer = try await designerOptions.designer(store: database)
            let advice: FixAdvisor.Advice
            do { advice = try await FixAdvisor(store: database, designer: designer).suggest(for: execution) } catch { throw CLIError("\(error)") }
            if format == .json {
                return writeLine(JSONValue.object([
                    "suggestions": .array(advice.offered.map(\.jsonValue)),
                    "dropped": .array(advice.dropped.map { ["title": .string($0.title), "reason": .string($0.reason)] }),
                ]).prettyJSONText)
            }
            if advice.offered.isEmpty { writeLine("no suggestion for this failure" + (designer.provider == nil ? " (no rule applies; with a model configured, it would be asked)" : "")) }
            for suggestion in advice.offered { writeLine(SuggestionPresenter.text(suggestion)) }
            for dropped in advice.dropped { writeLine("dropped: \(dropped.title) — \(dropped.reason)") }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply a suggestion: a new version of its workflow.")
        @Argument(help: "The suggestion's id (or a unique prefix).") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            do {
                let saved = try await FixAdvisor(store: try store.openStore()).apply(id)
                writeLine("applied: \(saved.name) version \(saved.version)")
            } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suggestions made so far, newest first, with how the runs after an applied one went.")
        @Option(help: "Only this workflow's (id or name).") var workflow: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            var id: String?
            if let workflow {
                guard let found = try await database.workflow(workflow, version: nil) else { throw CLIError("there is no workflow '\(workflow)'") }
                id = found.id
            }
            for suggestion in try await database.suggestions(workflow: id, execution: nil, limit: 50) {
                var line = "\(suggestion.id)  \(suggestion.status.rawValue)  \(suggestion.kind)/\(suggestion.rule)  \(suggestion.title)"
                if let outcome = try await database.outcome(of: suggestion) { line += "  (after: \(outcome.succeeded)/\(outcome.finished) runs succeeded)" }
                writeLine(line)
            }
        }
    }
}

enum SuggestionPresenter {
    static func text(_ suggestion: SuggestionRecord) -> String {
        var lines = ["\(suggestion.id)  \(suggestion.title)  [\(suggestion.rule), confidence \(String(format: "%.2f", suggestion.confidence))]",
                     "  " + suggestion.rationale]
        if suggestion.kind == "action" {
            lines.append("  to do outside the workflow (nothing to apply):")
            for command in suggestion.evidence["commands"]?.arrayValue ?? [] { lines.append("    " + command.renderedText) }
            return lines.joined(separator: "\n")
        }
        for operation in suggestion.patch.arrayValue ?? [] {
            lines.append("  \(operation["op"]?.stringValue ?? "") \(operation["path"]?.stringValue ?? "")" + (operation["value"].map { " = \($0.jsonText)" } ?? ""))
        }
        lines.append("  apply it with: windflow suggest apply \(suggestion.id)")
        return lines.joined(separator: "\n")
    }
}
