import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner

struct EvalAdviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-advice",
        abstract: "Run a corpus of real failures and report how good the fix suggestions are.",
        discussion: """
            Each case (see Evals/failure-cases.yaml) is a small workflow that really fails against a peer on loopback. \
            It is run in a fresh store, suggestions are asked for (the rules, then with --provider the model when no rule \
            applies), each is judged against the case's properties, and the top one is applied (a patch) or done (an \
            action, as the case describes) and the run tried again. Reports coverage, top-1 and any correct, and runs \
            fixed, in Markdown. The test HTTP server, the SMTP sink and a git repository are started for the run; the \
            S3-compatible server, dockerd and PostgreSQL come from WINDFLOW_TEST_S3_ENDPOINT (with _ACCESS_KEY and \
            _SECRET_KEY), WINDFLOW_TEST_DOCKER_HOST and WINDFLOW_TEST_POSTGRES_URL; cases needing one that is absent \
            are skipped and counted apart.
            """)

    @Argument(help: "A YAML file of failure cases.")
    var corpus: String

    @Option(help: "Only the cases whose id contains this (several: comma-separated).")
    var only: String?

    @Option(help: "Also write the report to this file.")
    var out: String?

    @Option(help: "The peer scripts (default: scripts/test-peers next to the corpus's folder).")
    var peers: String?

    @Option(name: .customLong("require-coverage"), help: "Exit 1 when coverage (percent of measured cases) is below this.")
    var requiredCoverage: Double?

    @Option(name: .customLong("require-top1"), help: "Exit 1 when top-1 correct (percent of measured cases) is below this.")
    var requiredTopOne: Double?

    @Flag(name: .customLong("without-rules"), help: "Ask the model for every case, without the rules first (measures the model alone).")
    var withoutRules = false

    @OptionGroup var designerOptions: DesignerOptions

    func run() async throws {
        var list: [AdviceEvaluation.Case]
        do { list = try AdviceEvaluation.cases(try WorkflowFile.read(corpus).text) } catch let error as CLIError { throw error } catch { throw CLIError("\(corpus): \(error)") }
        if let only {
            let wanted = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            list = list.filter { testCase in wanted.contains { testCase.id.contains($0) } }
        }
        let designer = try await designerOptions.designer(store: nil)
        let scripts = peers.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: corpus).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/test-peers")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-eval-advice-\(UUID().uuidString.prefix(8))")
        let peers = ScenarioPeers(scripts: scripts, folder: folder)
        defer {
            peers.stop()
            try? FileManager.default.removeItem(at: folder)
        }
        printError("\(list.count) case(s); peers: \(peers.available.sorted().joined(separator: ", "))"
            + (peers.problems.isEmpty ? "" : "; not started: " + peers.problems.map { "\($0.key) (\($0.value))" }.sorted().joined(separator: "; ")))
        if withoutRules, designer.provider == nil { throw CLIError("--without-rules needs a model: give --provider (and --base-url, --model)") }
        let title = "fix suggestions, " + (designer.provider == nil ? "rules only"
            : withoutRules ? "\(designer.providerName)/\(designer.modelName) alone" : "rules, then \(designer.providerName)/\(designer.modelName)")
        var results: [AdviceEvaluation.Result] = []
        for testCase in list {
            let result = await FailureScenario(testCase: testCase, peers: peers, designer: designer.provider == nil ? nil : designer,
                                               usesRules: !withoutRules).run()
            results.append(result)
            let top = result.suggestions.first.map { "\($0.rule)\($0.correct ? " ✓" : " ✗")" } ?? "no suggestion"
            printError("  \(result.id): " + (result.skipped ? "skipped (needs \(result.missingPeers.joined(separator: ", ")))"
                : result.error.map { "not measured — \($0)" } ?? "\(top)\(result.fixedRun.map { $0 ? ", run again succeeds" : ", run again fails" } ?? "")"))
            if let out { try? AdviceEvaluation.report(results, title: "\(title) — \(results.count) of \(list.count) cases").write(toFile: out, atomically: true, encoding: .utf8) }
        }
        let report = AdviceEvaluation.report(results, title: "\(title) — \(list.count) cases")
        writeLine(report)
        if let out { try report.write(toFile: out, atomically: true, encoding: .utf8) }
        let measured = results.filter(\.measured)
        let coverage = Double(measured.filter(\.covered).count) / Double(max(1, measured.count)) * 100
        let topOne = Double(measured.filter(\.topCorrect).count) / Double(max(1, measured.count)) * 100
        var short: [String] = []
        if let requiredCoverage, coverage < requiredCoverage { short.append(String(format: "coverage %.0f %% < %.0f %%", coverage, requiredCoverage)) }
        if let requiredTopOne, topOne < requiredTopOne { short.append(String(format: "top-1 correct %.0f %% < %.0f %%", topOne, requiredTopOne)) }
        if !short.isEmpty {
            printError("below the required figures: " + short.joined(separator: "; "))
            throw ExitCode(1)
        }
    }
}
