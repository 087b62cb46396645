import Foundation
import WindFlowCore
import Yams

/// `windflow eval`: prose cases through the designer, each design checked for the properties its case expects
/// (trigger type, required node types, ordering, cron), with validity after 0, 1 or 2 repairs, calls, tokens, latency.
public enum DesignEvaluation {
    public struct Case: Sendable {
        public var id: String
        public var prose: String
        public var trigger: String?
        public var cron: String?
        public var nodes: [String]
        public var order: [(before: String, after: String)]
        /// For an edit: the template (id) or workflow file the prose changes.
        public var edit: String?
        /// For an edit: node ids that must still be there, with their type and configuration unchanged.
        public var keeps: [String] = []
        /// For an edit: node ids that must be gone.
        public var removes: [String] = []
        /// How the case is written (short, rambling, french, typos, edit…), for reporting them apart.
        public var style: String?
    }

    public struct Check: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public struct Result: Sendable {
        public var id: String
        public var valid: Bool
        /// Repairs before it was valid (nil when it never was).
        public var repairs: Int?
        public var checks: [Check]
        public var calls: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var latency: Double
        /// The designer's error when it could not finish (the model unreachable…).
        public var error: String?
        /// The validation errors left in the final design (codes and messages), to see what the model gets wrong.
        public var problems: [String] = []
        /// The case's style, when it has one.
        public var style: String?
        /// Each round in Markdown: the model's answer, the fixes made, the problems left; then the assumptions.
        public var transcript = ""

        public var allChecksPass: Bool { error == nil && checks.allSatisfy(\.passed) }
    }

    /// Reads `cases:` from a YAML file's text.
    /// - Throws: ``DesignError`` naming the case and field that is wrong.
    public static func cases(_ text: String) throws -> [Case] {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw DesignError("the cases file is not YAML: \(error)") }
        guard let list = (root as? [String: Any])?["cases"] as? [[String: Any]] else {
            throw DesignError("the cases file needs a top-level 'cases:' list of {id, prose, expect}")
        }
        return try list.enumerated().map { index, entry in
            guard let id = entry["id"] as? String, let prose = entry["prose"] as? String else {
                throw DesignError("cases[\(index)] needs 'id' and 'prose'")
            }
            let expect = entry["expect"] as? [String: Any] ?? [:]
            let order = try (expect["order"] as? [[String]] ?? []).map { pair -> (String, String) in
                guard pair.count == 2 else { throw DesignError("case \(id): each 'order' entry is a pair [before, after]") }
                return (pair[0], pair[1])
            }
            var testCase = Case(id: id, prose: prose, trigger: expect["trigger"] as? String, cron: expect["cron"] as? String,
                                nodes: expect["nodes"] as? [String] ?? [], order: order)
            testCase.edit = entry["edit"] as? String
            testCase.keeps = expect["keeps"] as? [String] ?? []
            testCase.removes = expect["removes"] as? [String] ?? []
            testCase.style = entry["style"] as? String
            return testCase
        }
    }

    /// The workflow an edit case changes: a template of `designer`'s catalog by id, else a workflow file.
    static func current(_ testCase: Case, designer: Designer) throws -> Workflow? {
        guard let name = testCase.edit else { return nil }
        if let entry = designer.templates.entry(name) { return entry.workflow }
        guard let text = try? String(contentsOfFile: name, encoding: .utf8) else {
            throw DesignError("case \(testCase.id): '\(name)' is neither a template nor a readable file")
        }
        return try WorkflowCodec.load(text).workflow
    }

    /// Runs every case through `designer`, one after the other.
    public static func run(_ cases: [Case], designer: Designer, progress: (@Sendable (Result) -> Void)? = nil) async -> [Result] {
        var results: [Result] = []
        for testCase in cases {
            let result: Result
            do {
                let current = try Self.current(testCase, designer: designer)
                let design = try await designer.design(testCase.prose, editing: current)
                let calls = design.rounds.filter { $0.purpose != "offline" }.count
                var outcome = Result(
                    id: testCase.id, valid: design.isValid, repairs: design.isValid ? design.repairs : nil,
                    checks: check(design.workflow, against: testCase, registry: designer.registry, current: current), calls: calls,
                    promptTokens: design.promptTokens, completionTokens: design.completionTokens, latency: design.latency)
                outcome.problems = design.isValid ? [] : (design.rounds.last?.errors ?? [])
                outcome.style = testCase.style
                outcome.transcript = transcript(design, prose: testCase.prose)
                result = outcome
            } catch {
                result = Result(id: testCase.id, valid: false, repairs: nil, checks: [], calls: 0, promptTokens: 0, completionTokens: 0,
                                latency: 0, error: "\(error)")
            }
            progress?(result)
            results.append(result)
        }
        return results
    }

    /// A design's rounds as Markdown, to read what the model wrote and what the designer did with it.
    static func transcript(_ design: Design, prose: String) -> String {
        var lines = ["# \(prose)", ""]
        for round in design.rounds {
            lines.append("## round \(round.number) (\(round.purpose)): \(round.outcome), \(round.promptTokens)/\(round.completionTokens) tokens, "
                         + String(format: "%.1f s", round.latency))
            if !round.answer.isEmpty { lines += ["```json", round.answer, "```"] }
            lines += round.fixes.map { "- fix: \($0)" } + round.errors.map { "- problem: \($0)" }
            lines.append("")
        }
        lines += design.assumptions.map { "- assumed: \($0)" }
        return lines.joined(separator: "\n")
    }

    /// The case's properties, checked on `workflow`.
    public static func check(_ workflow: Workflow?, against testCase: Case, registry: NodeRegistry = .standard, current: Workflow? = nil) -> [Check] {
        guard let workflow else { return [Check(name: "workflow", passed: false, detail: "no workflow could be read")] }
        var checks: [Check] = []
        for id in testCase.keeps {
            let before = current?.node(id), after = workflow.node(id)
            let kept = before != nil && after?.type == before?.type && after?.configuration == before?.configuration
            checks.append(Check(name: "keeps \(id)", passed: kept, detail: after == nil ? "gone" : kept ? "" : "changed"))
        }
        for id in testCase.removes {
            checks.append(Check(name: "removes \(id)", passed: workflow.node(id) == nil, detail: ""))
        }
        let types = workflow.nodes.map(\.type)
        if let trigger = testCase.trigger {
            let found = workflow.nodes.filter { registry.type($0.type)?.isTrigger == true }.map(\.type)
            checks.append(Check(name: "trigger \(trigger)", passed: found.contains(trigger), detail: "found \(found.joined(separator: ", "))"))
        }
        if let cron = testCase.cron {
            let schedules = workflow.nodes.filter { $0.type == "trigger.schedule" }.compactMap { $0.configuration["schedule"]?.stringValue }
            let normalized = schedules.map { $0.split(separator: " ").joined(separator: " ") }
            checks.append(Check(name: "cron \(cron)", passed: normalized.contains(cron), detail: "found \(schedules.joined(separator: ", "))"))
        }
        for type in testCase.nodes {
            checks.append(Check(name: "has \(type)", passed: types.contains(type), detail: ""))
        }
        let reach = reachability(workflow)
        for (before, after) in testCase.order {
            let passed = workflow.nodes.contains { a in
                a.type == before && workflow.nodes.contains { b in b.type == after && b.id != a.id && reach[a.id, default: []].contains(b.id) }
            }
            checks.append(Check(name: "\(before) before \(after)", passed: passed, detail: ""))
        }
        return checks
    }

    /// For each node, the nodes reachable from it by edges.
    static func reachability(_ workflow: Workflow) -> [String: Set<String>] {
        var next: [String: [String]] = [:]
        for edge in workflow.edges { next[edge.source, default: []].append(edge.target) }
        var result: [String: Set<String>] = [:]
        for node in workflow.nodes {
            var seen: Set<String> = []
            var stack = next[node.id] ?? []
            while let id = stack.popLast() {
                guard seen.insert(id).inserted else { continue }
                stack += next[id] ?? []
            }
            result[node.id] = seen
        }
        return result
    }

    /// A Markdown report: totals, then one row per case.
    public static func report(_ results: [Result], title: String) -> String {
        let count = max(1, results.count)
        func percent(_ n: Int) -> String { "\(n)/\(results.count) (\(Int((Double(n) / Double(count) * 100).rounded()))%)" }
        let latencies = results.map(\.latency).sorted()
        let median = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let checks = results.flatMap(\.checks)
        var lines = [
            "### \(title)", "",
            "| measure | value |", "|---|---|",
            "| valid after 0 repairs | \(percent(results.filter { $0.repairs == 0 }.count)) |",
            "| valid after 1 repair | \(percent(results.filter { $0.repairs == 1 }.count)) |",
            "| valid after 2 repairs | \(percent(results.filter { $0.repairs == 2 }.count)) |",
            "| never valid | \(percent(results.filter { !$0.valid }.count)) |",
            "| all property checks pass | \(percent(results.filter(\.allChecksPass).count)) |",
            "| property checks passed | \(checks.filter(\.passed).count)/\(checks.count) |",
            "| LLM calls | \(results.map(\.calls).reduce(0, +)) |",
            "| prompt / completion tokens | \(results.map(\.promptTokens).reduce(0, +)) / \(results.map(\.completionTokens).reduce(0, +)) |",
            "| latency median / total | \(String(format: "%.2f", median)) s / \(String(format: "%.1f", latencies.reduce(0, +))) s |",
            "", "| case | valid | repairs | checks | calls | tokens (in/out) | latency | failed checks |", "|---|---|---|---|---|---|---|---|",
        ]
        let codes = results.flatMap(\.problems).compactMap { CronPhrase.firstMatch(#"\[([a-z_]+)\]"#, in: $0)?.first }
        if !codes.isEmpty {
            var counts: [String: Int] = [:]
            for code in codes { counts[code, default: 0] += 1 }
            let ordered: [(key: String, value: Int)] = counts.sorted { (a: (key: String, value: Int), b: (key: String, value: Int)) -> Bool in
                a.value != b.value ? a.value > b.value : a.key < b.key
            }
            let summary = ordered.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            lines.insert("| problems left in invalid designs | \(summary) |", at: 13)
        }
        let styles = Array(Set(results.compactMap(\.style))).sorted()
        if !styles.isEmpty {
            var rows = ["", "| cases by style | count | valid | all checks pass | latency median |", "|---|---|---|---|---|"]
            for style in ["(the original 36)"] + styles {
                let group = results.filter { style == "(the original 36)" ? $0.style == nil : $0.style == style }
                guard !group.isEmpty else { continue }
                let sorted = group.map(\.latency).sorted()
                rows.append("| \(style) | \(group.count) | \(group.filter(\.valid).count) | \(group.filter(\.allChecksPass).count) | \(String(format: "%.2f", sorted[sorted.count / 2])) s |")
            }
            let table = lines.lastIndex(of: "") ?? lines.count
            lines.insert(contentsOf: rows, at: table)
        }
        for result in results {
            let failed = result.error ?? result.checks.filter { !$0.passed }.map { $0.name + ($0.detail.isEmpty ? "" : " (\($0.detail))") }.joined(separator: "; ")
            lines.append("| \(result.id) | \(result.valid ? "yes" : "no") | \(result.repairs.map(String.init) ?? "–") | "
                + "\(result.checks.filter(\.passed).count)/\(result.checks.count) | \(result.calls) | \(result.promptTokens)/\(result.completionTokens) | "
                + "\(String(format: "%.2f", result.latency)) s | \(failed.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
