import ArgumentParser
import Foundation
import WindFlowCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files against the node registry.",
        discussion: "Reports every problem with its code, place and a suggested fix. Exits 1 when a file has errors (warnings alone pass).")

    @Argument(help: "Workflow files (YAML or JSON); - reads standard input.")
    var files: [String]

    @Option(help: "text for people, json for tools.")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    func run() throws {
        let validator = Validator()
        var results: [JSONValue] = []
        var failed = false
        for path in files {
            let (name, report) = Self.check(path, validator: validator)
            let passes = report.isValid && !(strict && !report.warnings.isEmpty)
            failed = failed || !passes
            switch format {
            case .text: print(Self.render(name, report, nodes: nil))
            case .json:
                guard case .object(var object) = report.jsonValue else { continue }
                object["file"] = .string(name)
                object["valid"] = .bool(passes)
                results.append(.object(object))
            }
        }
        if format == .json { print(JSONValue.array(results).prettyJSONText) }
        if failed { throw ExitCode(1) }
    }

    /// Reads, loads and validates one file; unreadable files and syntax errors become one problem.
    static func check(_ path: String, validator: Validator) -> (String, ValidationReport) {
        let file: WorkflowFile
        do { file = try WorkflowFile.read(path) } catch {
            return (path, ValidationReport(problems: [Problem(.syntaxError, path: "", message: "\(error)")]))
        }
        do {
            let loaded = try WorkflowCodec.load(file.text)
            return (file.name, validator.validate(loaded))
        } catch {
            return (file.name, ValidationReport(problems: [error.problem]))
        }
    }

    /// `file: valid (…)` or the problems, one per line with the fix indented below.
    static func render(_ name: String, _ report: ValidationReport, nodes: Int?) -> String {
        let errors = report.errors.count, warnings = report.warnings.count
        var lines: [String] = []
        if report.problems.isEmpty {
            lines.append("\(name): valid")
        } else {
            let verdict = errors == 0 ? "valid" : "invalid"
            lines.append("\(name): \(verdict), \(plural(errors, "error")), \(plural(warnings, "warning"))")
        }
        for problem in report.problems.sorted(by: { ($0.severity, $0.line ?? 0) < ($1.severity, $1.line ?? 0) }) {
            let place = problem.line.map { "\(name):\($0)" } ?? name
            let at = problem.path.isEmpty ? "" : " \(problem.path)"
            lines.append("  \(place): \(problem.severity.rawValue) [\(problem.code.rawValue)]\(at): \(problem.message)")
            if let suggestion = problem.suggestion { lines.append("      fix: \(suggestion)") }
        }
        return lines.joined(separator: "\n")
    }

    static func plural(_ count: Int, _ word: String) -> String {
        "\(count) \(word)\(count == 1 ? "" : "s")"
    }
}

