import Foundation
import WindFlowCore
import WindFlowStore

/// `windflow eval-advice`: a corpus of real failures (Evals/failure-cases.yaml), each a small workflow that fails
/// against a real peer on loopback, with what a correct suggestion is, written as properties the evaluator checks.
/// This type holds the pure part — reading the corpus, judging suggestions, the report; running the scenarios
/// needs the engine and the peers, and lives with the command.
public enum AdviceEvaluation {
    public struct Case: Sendable {
        public var id: String
        /// The failure, in the words of someone looking at the red run.
        public var title: String
        /// Peers the scenario needs besides loopback itself: http, https, smtp, git, s3, docker, postgres.
        public var peers: [String]
        /// The failing workflow (YAML, with `%{…}` placeholders for the peers' addresses and the case's folder).
        public var workflow: String
        /// Workflows run (and expected to succeed) before, so the store has the history or hosts the rule may use.
        public var before: [String]
        /// Secrets stored before the run.
        public var secrets: [String: String]
        /// Files written in the case's folder before the run (path relative to it → content).
        public var files: [String: String]
        public var expect: Expectation
        /// Applying the top suggestion (a patch) and running again must succeed.
        public var fixesRun: Bool
        /// For an action: what doing it means here (secrets set), after which a rerun must succeed.
        public var afterAction: [String: String]
        /// The rules are not expected to cover this case (yet): it is kept so the figures stay honest.
        public var uncovered: Bool
        /// The Docker host the engine uses, instead of the docker peer's (a daemon that is not there, say).
        public var dockerHost: String?
    }

    /// What makes a suggestion correct: a patch whose result passes every check, or an action whose words name
    /// every one of `action` (either may be given; a suggestion of the other kind is then not correct).
    public struct Expectation: Sendable {
        public var fix: [PropertyCheck]
        public var action: [String]
    }

    /// One property of the patched workflow: the value at `path` in node `node` (dots between keys; `retry_count`,
    /// `configuration.url`, `configuration.email.security`).
    public struct PropertyCheck: Sendable, CustomStringConvertible {
        public enum Test: Sendable {
            case equals(JSONValue)
            case contains(String)
            case notContains(String)
            case atLeast(Double)
        }

        public var node: String
        public var path: String
        public var test: Test

        public var description: String {
            switch test {
            case .equals(let value): return "\(node).\(path) = \(value.jsonText)"
            case .contains(let text): return "\(node).\(path) contains '\(text)'"
            case .notContains(let text): return "\(node).\(path) lacks '\(text)'"
            case .atLeast(let number): return "\(node).\(path) ≥ \(number)"
            }
        }

        /// Whether `workflow` has the property.
        public func holds(in workflow: Workflow) -> Bool {
            var value = WorkflowCodec.jsonValue(workflow)["workflow"]?["nodes"]?.arrayValue?.first { $0["id"]?.stringValue == node }
            guard value != nil else { return false }
            for key in path.split(separator: ".") { value = value?[String(key)] }
            switch test {
            case .equals(let expected): return value == expected || value?.renderedText == expected.renderedText
            case .contains(let text): return value.map { Self.text($0).contains(text) } ?? false
            case .notContains(let text): return value.map { !Self.text($0).contains(text) } ?? true
            case .atLeast(let number): return (value?.doubleValue ?? Double(value?.stringValue ?? "")).map { $0 >= number } ?? false
            }
        }

        static func text(_ value: JSONValue) -> String {
            if case .string(let text) = value { return text }
            return value.jsonText
        }
    }

    public struct Result: Sendable {
        public var id: String
        public var title: String
        public var uncovered: Bool
        /// Peers the case needs that this run does not have: the case was not run.
        public var missingPeers: [String] = []
        /// Why the scenario could not be measured (its setup failed, or it did not fail as it should).
        public var error: String?
        /// The failure: node, kind and message.
        public var failure = ""
        /// Offered suggestions, best first: rule, kind, source, title, and whether it is correct.
        public var suggestions: [(rule: String, kind: String, source: String, title: String, correct: Bool)] = []
        /// Whether the top suggestion, applied (a patch) or done (an action), made the run succeed; nil when the
        /// case does not ask.
        public var fixedRun: Bool?
        /// Seconds the suggestions took.
        public var latency: Double = 0

        public init(id: String, title: String, uncovered: Bool) {
            self.id = id
            self.title = title
            self.uncovered = uncovered
        }

        public var skipped: Bool { !missingPeers.isEmpty }
        public var measured: Bool { !skipped && error == nil }
        public var covered: Bool { !suggestions.isEmpty }
        public var topCorrect: Bool { suggestions.first?.correct ?? false }
        public var anyCorrect: Bool { suggestions.contains { $0.correct } }
    }

    /// Reads `cases:` from the corpus's text.
    /// - Throws: ``DesignError`` naming the case and field that is wrong.
    public static func cases(_ text: String) throws -> [Case] {
        let root: JSONValue
        do { root = try WorkflowCodec.data(text) } catch { throw DesignError("the failure corpus is not YAML: \(error)") }
        guard let list = root["cases"]?.arrayValue else { throw DesignError("the failure corpus needs a top-level 'cases:' list") }
        var seen = Set<String>()
        return try list.enumerated().map { index, entry in
            guard let id = entry["id"]?.stringValue, !id.isEmpty else { throw DesignError("cases[\(index)] has no id") }
            guard seen.insert(id).inserted else { throw DesignError("cases[\(index)]: the id '\(id)' is used twice") }
            guard let workflow = entry["workflow"]?.stringValue else { throw DesignError("case '\(id)' has no workflow (YAML text)") }
            let expect = entry["expect"] ?? .object([:])
            let checks = try (expect["fix"]?.arrayValue ?? []).enumerated().map { number, check in
                try propertyCheck(check, at: "case '\(id)': expect.fix[\(number)]")
            }
            let action = (expect["action"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard !checks.isEmpty || !action.isEmpty else {
                throw DesignError("case '\(id)': expect needs fix (checks on the patched workflow) or action (words the action must name)")
            }
            func strings(_ key: String) -> [String: String] {
                (entry[key]?.objectValue ?? [:]).mapValues { $0.stringValue ?? $0.renderedText }
            }
            return Case(id: id, title: entry["title"]?.stringValue ?? id, peers: (entry["peers"]?.arrayValue ?? []).compactMap(\.stringValue),
                        workflow: workflow, before: (entry["before"]?.arrayValue ?? []).compactMap(\.stringValue), secrets: strings("secrets"),
                        files: strings("files"), expect: Expectation(fix: checks, action: action),
                        fixesRun: entry["fixes_run"]?.boolValue ?? false, afterAction: strings("after_action"),
                        uncovered: entry["uncovered"]?.boolValue ?? false, dockerHost: entry["docker_host"]?.stringValue)
        }
    }

    static func propertyCheck(_ value: JSONValue, at place: String) throws -> PropertyCheck {
        guard let node = value["node"]?.stringValue, let path = value["path"]?.stringValue else {
            throw DesignError("\(place) needs node and path")
        }
        let test: PropertyCheck.Test
        if let expected = value["equals"] {
            test = .equals(expected)
        } else if let text = value["contains"]?.stringValue {
            test = .contains(text)
        } else if let text = value["lacks"]?.stringValue {
            test = .notContains(text)
        } else if let number = value["at_least"]?.doubleValue {
            test = .atLeast(number)
        } else {
            throw DesignError("\(place) needs one of equals, contains, lacks, at_least")
        }
        return PropertyCheck(node: node, path: path, test: test)
    }

    /// Whether `suggestion` is a correct answer to the case: `patched` is the failing workflow with its patch applied
    /// (nil for an action, or a patch that does not apply).
    public static func isCorrect(_ suggestion: SuggestionRecord, patched: Workflow?, for expectation: Expectation) -> Bool {
        if suggestion.kind == "action" {
            guard !expectation.action.isEmpty else { return false }
            let commands = (suggestion.evidence["commands"]?.arrayValue ?? []).compactMap(\.stringValue)
            let words = ([suggestion.title, suggestion.rationale] + commands).joined(separator: "\n").lowercased()
            return expectation.action.allSatisfy { words.contains($0.lowercased()) }
        }
        guard !expectation.fix.isEmpty, let patched else { return false }
        return expectation.fix.allSatisfy { $0.holds(in: patched) }
    }

    /// The expectation with `%{name}` placeholders in its words and checked values filled.
    public static func fill(_ expectation: Expectation, _ values: [String: String]) -> Expectation {
        var filled = expectation
        filled.action = expectation.action.map { fill($0, values) }
        filled.fix = expectation.fix.map { check in
            var check = check
            switch check.test {
            case .equals(.string(let text)): check.test = .equals(.string(fill(text, values)))
            case .contains(let text): check.test = .contains(fill(text, values))
            case .notContains(let text): check.test = .notContains(fill(text, values))
            default: break
            }
            return check
        }
        return filled
    }

    /// `%{name}` placeholders replaced by `values`; an unknown one is left as is (and fails to load, visibly).
    public static func fill(_ text: String, _ values: [String: String]) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: "%{\($1.key)}", with: $1.value) }
    }

    /// A Markdown report: the figures, then one row per case.
    public static func report(_ results: [Result], title: String) -> String {
        let measured = results.filter(\.measured)
        func share(_ part: Int, of whole: Int) -> String { "\(part)/\(whole) (\(whole == 0 ? 0 : Int((Double(part) / Double(whole) * 100).rounded()))%)" }
        let runs = measured.compactMap(\.fixedRun)
        let patchRuns = measured.filter { $0.fixedRun != nil && $0.suggestions.first?.kind != "action" }.compactMap(\.fixedRun)
        let latencies = measured.map(\.latency).sorted()
        let median = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let uncovered = measured.filter(\.uncovered)
        var lines = [
            "### \(title)", "",
            "| measure | value |", "|---|---|",
            "| cases measured | \(measured.count) of \(results.count) (skipped for a missing peer: \(results.filter(\.skipped).count); not measurable: \(results.filter { !$0.skipped && $0.error != nil }.count)) |",
            "| coverage (≥ 1 suggestion) | \(share(measured.filter(\.covered).count, of: measured.count)) |",
            "| top-1 correct | \(share(measured.filter(\.topCorrect).count, of: measured.count)) |",
            "| any correct | \(share(measured.filter(\.anyCorrect).count, of: measured.count)) |",
            "| top suggestion applied (or done) and run again: succeeds | \(share(runs.filter { $0 }.count, of: runs.count)) (patches: \(share(patchRuns.filter { $0 }.count, of: patchRuns.count))) |",
            "| cases marked not covered by the rules yet | \(uncovered.count) (of them covered now: \(uncovered.filter(\.covered).count)) |",
            "| suggestion latency median | \(String(format: "%.3f", median)) s |",
            "", "| case | failure | top suggestion | correct (top / any) | run after | |", "|---|---|---|---|---|---|",
        ]
        for result in results {
            let top = result.suggestions.first.map { "\($0.rule) (\($0.kind)\($0.source == "rule" ? "" : ", " + $0.source))" } ?? "—"
            let correct = result.measured ? "\(result.topCorrect ? "yes" : "no") / \(result.anyCorrect ? "yes" : "no")" : "–"
            let run = result.fixedRun.map { $0 ? "succeeds" : "fails" } ?? "–"
            let note = result.skipped ? "skipped: needs \(result.missingPeers.joined(separator: ", "))"
                : result.error ?? (result.uncovered ? "marked not covered yet" : "")
            lines.append("| \(result.id) | \(cell(result.failure, 90)) | \(top) | \(correct) | \(run) | \(cell(note, 120)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String, _ limit: Int) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}
