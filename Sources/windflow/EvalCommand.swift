import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run prose cases through the designer and report how well it did.",
        discussion: """
            Each case (see Evals/design-cases.yaml) is designed with the configured provider, then checked: valid after \
            0, 1 or 2 repairs, the expected trigger, node types, ordering and cron. Prints a Markdown report.
            """)

    @Argument(help: "A YAML file of cases.")
    var cases: String

    @Option(help: "Only the cases whose id contains this (several: comma-separated).")
    var only: String?

    @Option(help: "Also write the report to this file.")
    var out: String?

    @Option(help: "Write each case's rounds (the model's answers, fixes, problems, assumptions) to DIR/<case>.md.")
    var transcripts: String?

    @OptionGroup var designerOptions: DesignerOptions

    func run() async throws {
        var list: [DesignEvaluation.Case]
        do { list = try DesignEvaluation.cases(try WorkflowFile.read(cases).text) } catch let error as CLIError { throw error } catch { throw CLIError("\(cases): \(error)") }
        if let only {
            let wanted = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            list = list.filter { testCase in wanted.contains { testCase.id.contains($0) } }
        }
        let designer = try await designerOptions.designer(store: nil)
        printError("\(list.count) case(s) with \(designer.providerName)/\(designer.modelName)")
        let title = "\(designer.providerName) / \(designer.modelName)"
        let partial = PartialReport()
        let total = list.count
        if let transcripts { try FileManager.default.createDirectory(atPath: transcripts, withIntermediateDirectories: true) }
        let results = await DesignEvaluation.run(list, designer: designer) { [out, transcripts] result in
            if let transcripts {
                try? result.transcript.write(toFile: (transcripts as NSString).appendingPathComponent(result.id + ".md"), atomically: true, encoding: .utf8)
            }
            // The report so far is rewritten after every case, so a long run cut short keeps what it measured.
            let done = partial.add(result)
            if let out {
                try? DesignEvaluation.report(done, title: "\(title) — \(done.count) of \(total) cases").write(toFile: out, atomically: true, encoding: .utf8)
            }
            let checks = "\(result.checks.filter(\.passed).count)/\(result.checks.count)"
            printError("  \(result.id): \(result.valid ? "valid" : "invalid")\(result.repairs.map { " after \($0) repair(s)" } ?? ""), checks \(checks), \(String(format: "%.1f", result.latency)) s\(result.error.map { " — \($0)" } ?? "")")
        }
        let report = DesignEvaluation.report(results, title: "\(title) — \(list.count) cases")
        writeLine(report)
        if let out { try report.write(toFile: out, atomically: true, encoding: .utf8) }
    }
}

/// The results so far, shared with the progress callback.
final class PartialReport: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var results: [DesignEvaluation.Result] = []

    func add(_ result: DesignEvaluation.Result) -> [DesignEvaluation.Result] {
        lock.withLock {
            results.append(result)
            return results
        }
    }
}
