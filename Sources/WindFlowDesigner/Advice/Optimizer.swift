import Foundation
import WindFlowCore
import WindFlowStore

/// Optimization suggestions mined from a workflow's stored runs, each a validated patch with its evidence and an
/// estimated benefit, best first: steps that wait for one another without reading each other's output, flaky steps
/// without a retry policy, timeouts far from real durations, scheduled runs that overlap. Works without a model.
public struct Optimizer: Sendable {
    public let store: any WindFlowStorage
    public let registry: NodeRegistry
    /// Fewer finished attempts than this and a node's figures are not evidence enough.
    public var minimumRuns = 10

    /// Where suggestions get their time from.
    public let clock: any WallClock

    public init(store: any WindFlowStorage, registry: NodeRegistry = .standard, clock: any WallClock = SystemClock()) {
        self.clock = clock
        self.store = store
        self.registry = registry
    }

    /// Node types that only read (an HTTP GET, metrics, health): safe to start earlier when they read nothing upstream.
    static let readOnly: Set<String> = ["windflow.get_metrics", "windflow.health_check", "windflow.validate_stack", "integration.monitoring"]

    public struct Analysis: Sendable {
        public var statistics: [String: NodeStatistics]
        /// Node ids along the longest path by median duration, and its length in milliseconds.
        public var criticalPath: [String]
        public var criticalPathMs: Double
        public var offered: [SuggestionRecord]
        public var dropped: [(title: String, reason: String)]
    }

    /// Analyses `workflow` (id or name) and stores the suggestions that validate.
    public func analyse(_ workflow: String) async throws -> Analysis {
        guard let record = try await store.workflow(workflow, version: nil) else { throw DesignError("there is no workflow '\(workflow)'") }
        let statistics = try await store.nodeStatistics(workflow: record.id)
        let (path, length) = Self.criticalPath(record.workflow, statistics: statistics, registry: registry)
        var candidates: [(FixCandidate, Double)] = []
        candidates += parallelizable(record.workflow, statistics)
        candidates += flaky(record.workflow, statistics, pathMs: length)
        candidates += timeouts(record.workflow, statistics, pathMs: length)
        if let overlap = try await overlaps(record) { candidates.append(overlap) }
        await candidates += try repeatedCalls(record, statistics)
        await candidates += try branchesNeverTaken(record)
        var analysis = Analysis(statistics: statistics, criticalPath: path, criticalPathMs: length, offered: [], dropped: [])
        for (candidate, benefit) in candidates.sorted(by: { $0.1 > $1.1 }) {
            do { _ = try WorkflowPatcher.apply(candidate.patch, to: record.workflow, registry: registry) } catch {
                analysis.dropped.append((candidate.title, "\(error)"))
                continue
            }
            var evidence = candidate.evidence.objectValue ?? [:]
            evidence["estimated_benefit_ms"] = .double(benefit.rounded())
            var suggestion = SuggestionRecord(
                kind: "optimize", workflowID: record.id, workflowVersion: record.version, rule: candidate.rule, title: candidate.title,
                rationale: candidate.rationale, confidence: candidate.confidence, patch: candidate.patch.jsonValue, evidence: .object(evidence),
                source: "rule", createdAt: clock.now())
            suggestion.id = try await store.saveSuggestion(suggestion)
            analysis.offered.append(suggestion)
        }
        return analysis
    }

    /// The longest path from a trigger by median node duration.
    static func criticalPath(_ workflow: Workflow, statistics: [String: NodeStatistics], registry: NodeRegistry) -> ([String], Double) {
        let graph = WorkflowGraph(workflow, registry: registry)
        var best = [Double](repeating: 0, count: workflow.nodes.count)
        var previous = [Int?](repeating: nil, count: workflow.nodes.count)
        for node in graph.topologicalOrder().order {
            var start = 0.0
            for edge in graph.forwardIncoming(node) {
                guard let source = graph.source(of: edge), previous[node] == nil || best[source] > start else { continue }
                start = best[source]
                previous[node] = source
            }
            best[node] = start + (statistics[workflow.nodes[node].id]?.p50 ?? 0)
        }
        // The latest-finishing node; among equals, the one furthest down the graph.
        var end: Int?
        for node in graph.topologicalOrder().order where end == nil || best[node] >= best[end!] { end = node }
        guard let end else { return ([], 0) }
        var path = [end]
        while let before = previous[path[0]] { path.insert(before, at: 0) }
        return (path.map { workflow.nodes[$0].id }, best[end])
    }

    /// B waits for A but reads nothing from it: start B with A instead of after it.
    private func parallelizable(_ workflow: Workflow, _ statistics: [String: NodeStatistics]) -> [(FixCandidate, Double)] {
        let graph = WorkflowGraph(workflow, registry: registry)
        let ancestors = graph.ancestors()
        let inLoops = graph.loopBodies().values.reduce(into: Set<Int>()) { $0.formUnion($1) }
        var found: [(FixCandidate, Double)] = []
        for (b, node) in workflow.nodes.enumerated() where isReadOnly(node) && !inLoops.contains(b) {
            let incoming = graph.forwardIncoming(b)
            guard incoming.count == 1, let edge = incoming.first, workflow.edges[edge].branch == nil, let a = graph.source(of: edge),
                registry.type(workflow.nodes[a].type)?.isTrigger == false, !inLoops.contains(a)
            else { continue }
            let before = graph.forwardIncoming(a)
            guard !before.isEmpty else { continue }
            // Everything B reads must already be done before A starts.
            let reads = Set(node.configuration.values.flatMap(Self.referencedNodes))
            let earlier = Set(before.compactMap { graph.source(of: $0) }.flatMap { index in
                [workflow.nodes[index].id] + workflow.nodes.indices.filter { ancestors[index].contains($0) }.map { workflow.nodes[$0].id }
            })
            guard reads.isSubset(of: earlier.union(["trigger", "env", "secrets", "execution", "workflow"])) else { continue }
            guard let sa = statistics[workflow.nodes[a].id], let sb = statistics[node.id], sa.succeeded >= minimumRuns, sb.succeeded >= minimumRuns,
                let pa = sa.p50, let pb = sb.p50
            else { continue }
            var operations: [JSONPatch.Operation] = [.init(.remove, "/workflow/edges/\(edge)")]
            for entry in before {
                var value: [String: JSONValue] = ["source": .string(workflow.edges[entry].source), "target": .string(node.id)]
                if let branch = workflow.edges[entry].branch { value["branch"] = .string(branch) }
                operations.append(.init(.add, "/workflow/edges/-", value: .object(value)))
            }
            // What came after B still comes after A: it waits for both (a node waits for all its incoming edges).
            let aID = workflow.nodes[a].id
            for next in graph.forwardOutgoing(b) {
                guard let target = graph.target(of: next), !workflow.edges.contains(Edge(source: aID, target: workflow.nodes[target].id)) else { continue }
                operations.append(.init(.add, "/workflow/edges/-", value: ["source": .string(aID), "target": .string(workflow.nodes[target].id)]))
            }
            let saved = min(pa, pb)
            found.append((FixCandidate(
                rule: "parallelizable", title: "Run '\(node.id)' alongside '\(aID)'",
                rationale: "'\(node.id)' waits for '\(aID)' but reads nothing from it, and only reads. Started at the same time, the two overlap: about \(Int(saved)) ms saved per run (medians \(Int(pa)) ms and \(Int(pb)) ms over \(sa.succeeded) and \(sb.succeeded) runs).",
                confidence: 0.6, patch: JSONPatch(operations),
                evidence: ["p50_ms": .object([aID: .double(pa.rounded()), node.id: .double(pb.rounded())]), "reads": .array(reads.sorted().map { .string($0) })]),
                saved))
        }
        return found
    }

    private func isReadOnly(_ node: WorkflowNode) -> Bool {
        if Self.readOnly.contains(node.type) { return true }
        if node.type == "integration.http" {
            let method = (node.configuration["method"]?.stringValue ?? "GET").uppercased()
            return method == "GET" || method == "HEAD"
        }
        return false
    }

    /// The node ids (and roots) an expression-bearing value reads.
    static func referencedNodes(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text) where Template.containsPlaceholder(text):
            return ((try? Template.parse(text))?.expressions ?? []).flatMap { $0.references.map(\.root) }
        case .array(let elements): return elements.flatMap(referencedNodes)
        case .object(let members): return members.values.flatMap(referencedNodes)
        default: return []
        }
    }

    /// Succeeds only after retries, or fails now and then without retrying → a retry policy with backoff.
    private func flaky(_ workflow: Workflow, _ statistics: [String: NodeStatistics], pathMs: Double) -> [(FixCandidate, Double)] {
        workflow.nodes.enumerated().compactMap { index, node -> (FixCandidate, Double)? in
            guard let s = statistics[node.id], s.attempts >= minimumRuns, s.succeeded > 0 else { return nil }
            let lateShare = Double(s.succeededAfterRetry) / Double(s.succeeded)
            let failShare = Double(s.failed) / Double(s.attempts)
            var operations: [JSONPatch.Operation] = []
            if node.retryCount == 0, failShare >= 0.05 { operations.append(.init(.add, WorkflowPatcher.node(index) + "/retry_count", value: 2)) }
            if node.retry == nil, node.retryCount > 0 || !operations.isEmpty, lateShare >= 0.1 || failShare >= 0.05 {
                operations.append(.init(.add, WorkflowPatcher.node(index) + "/retry", value: ["initial_delay": 2, "factor": 2, "max_delay": 60, "jitter": 0.2]))
            }
            guard !operations.isEmpty else { return nil }
            let rationale = "'\(node.id)' is flaky: \(s.failed) of its \(s.attempts) attempts failed and \(s.succeededAfterRetry) of its \(s.succeeded) successes needed a retry. "
                + "Retrying with backoff (2 s, 4 s, … up to 60 s, with jitter) turns most of those failures into late successes."
            return (FixCandidate(rule: "flaky_node", title: "Give '\(node.id)' a retry policy with backoff", rationale: rationale, confidence: 0.7,
                                 patch: JSONPatch(operations),
                                 evidence: ["attempts": .int(s.attempts), "failed": .int(s.failed), "succeeded_after_retry": .int(s.succeededAfterRetry)]),
                    failShare * max(pathMs, 1))
        }
    }

    /// A timeout below what the node really needs, or far above it.
    private func timeouts(_ workflow: Workflow, _ statistics: [String: NodeStatistics], pathMs: Double) -> [(FixCandidate, Double)] {
        workflow.nodes.enumerated().compactMap { index, node -> (FixCandidate, Double)? in
            // Logic nodes take no time worth a timeout of their own.
            guard registry.type(node.type)?.isTrigger == false, !node.type.hasPrefix("logic."), let s = statistics[node.id], s.succeeded >= minimumRuns,
                let p95 = s.p95.map({ $0 / 1000 }), let longest = s.max.map({ $0 / 1000 })
            else { return nil }
            let current = node.effectiveTimeout
            let pointer = WorkflowPatcher.node(index) + "/timeout"
            if current < p95 * 1.2 {
                let proposed = max(1, (longest * 2).rounded(.up))
                return (FixCandidate(
                    rule: "timeout_too_close", title: "Raise '\(node.id)' timeout to \(JSONValue.format(proposed)) s",
                    rationale: "'\(node.id)' has a \(JSONValue.format(current)) s timeout but its successful runs take up to \(JSONValue.format((longest * 10).rounded() / 10)) s (p95 \(JSONValue.format((p95 * 10).rounded() / 10)) s): slow days will time out.",
                    confidence: 0.75, patch: JSONPatch([.init(.add, pointer, value: .int(Int(proposed)))]),
                    evidence: ["timeout_s": .double(current), "p95_s": .double(p95), "max_s": .double(longest)]), Double(s.failed) / Double(s.attempts) * pathMs + 1)
            }
            // Only a timeout someone set: the default is a default, not a decision to question.
            if node.timeout != nil, current >= 60, current > 20 * max(longest, 0.001) {
                let proposed = max(30, (longest * 5).rounded(.up))
                return (FixCandidate(
                    rule: "timeout_too_far", title: "Lower '\(node.id)' timeout to \(JSONValue.format(proposed)) s",
                    rationale: "'\(node.id)' never took more than \(JSONValue.format((longest * 10).rounded() / 10)) s in \(s.succeeded) runs, but may hang for \(JSONValue.format(current)) s before failing: a stuck run would hold a worker that long.",
                    confidence: 0.5, patch: JSONPatch([.init(.add, pointer, value: .int(Int(proposed)))]),
                    evidence: ["timeout_s": .double(current), "p95_s": .double(p95), "max_s": .double(longest)]), 0.5)
            }
            return nil
        }
    }

    /// A condition or switch that went the same way in all of its recent runs (at least `minimumRuns`): the steps only
    /// its other outputs lead to never ran. Offered with a low confidence, as a removal, since a rare case (a failure
    /// path, an alert) may be exactly what such a branch is for; error outputs are never proposed.
    private func branchesNeverTaken(_ record: WorkflowRecord) async throws -> [(FixCandidate, Double)] {
        let workflow = record.workflow
        var found: [(FixCandidate, Double)] = []
        for node in workflow.nodes where node.type == "logic.condition" || node.type == "logic.switch" {
            let counts = try await store.branchCounts(workflow: record.id, node: node.id, limit: 1000)
            let runs = counts.values.reduce(0, +)
            guard runs >= minimumRuns else { continue }
            for (edgeIndex, edge) in workflow.edges.enumerated() where edge.source == node.id {
                guard let branch = edge.branch, branch != "error", counts[branch] == nil else { continue }
                found.append((removeBranch(workflow, edgeIndex: edgeIndex, counts: counts, runs: runs), 0))
            }
        }
        return found
    }

    /// Removes the edge and the steps reachable only through it.
    private func removeBranch(_ workflow: Workflow, edgeIndex: Int, counts: [String: Int], runs: Int) -> FixCandidate {
        let edge = workflow.edges[edgeIndex]
        let graph = WorkflowGraph(workflow, registry: registry)
        var without = workflow
        without.edges.remove(at: edgeIndex)
        let starts = workflow.nodes.indices.filter { registry.type(workflow.nodes[$0].type)?.isTrigger ?? false }
        let stillReached = WorkflowGraph(without, registry: registry).reachable(from: starts).union(starts)
        let exclusive = graph.indexByID[edge.target].map { graph.reachable(from: [$0]).union([$0]) }?.subtracting(stillReached) ?? []
        let ids = Set(exclusive.map { workflow.nodes[$0].id })
        var operations: [JSONPatch.Operation] = []
        let edges = workflow.edges.indices.filter { $0 == edgeIndex || ids.contains(workflow.edges[$0].source) || ids.contains(workflow.edges[$0].target) }
        for index in edges.sorted(by: >) { operations.append(.init(.remove, "/workflow/edges/\(index)")) }
        for index in exclusive.sorted(by: >) { operations.append(.init(.remove, WorkflowPatcher.node(index))) }
        let taken = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let steps = exclusive.sorted().map { "'\(workflow.nodes[$0].id)'" }.joined(separator: ", ")
        return FixCandidate(
            rule: "branch_never_taken",
            title: ids.isEmpty ? "Drop the '\(edge.branch ?? "")' edge of '\(edge.source)', never taken" : "Remove the '\(edge.branch ?? "")' branch of '\(edge.source)' (\(steps)), never taken",
            rationale: "In its last \(runs) runs '\(edge.source)' went \(taken) and never '\(edge.branch ?? "")'\(ids.isEmpty ? "" : ", so \(steps) never ran"). If that branch is meant for a rare case (a failure, an alert), keep it and dismiss this; otherwise it is dead weight to read and maintain.",
            confidence: 0.3, patch: JSONPatch(operations),
            evidence: ["runs": .int(runs), "taken": .object(counts.mapValues { .int($0) }), "never_taken": .string(edge.branch ?? ""),
                       "steps_never_run": .array(exclusive.sorted().map { .string(workflow.nodes[$0].id) })])
    }

    /// A GET that asks again, later in the same run, exactly what an earlier GET asked → read the earlier answer.
    private func repeatedCalls(_ record: WorkflowRecord, _ statistics: [String: NodeStatistics]) async throws -> [(FixCandidate, Double)] {
        let workflow = record.workflow
        let calls = workflow.nodes.indices.filter { workflow.nodes[$0].type == "integration.http" && isReadOnly(workflow.nodes[$0]) }
        guard calls.count >= 2 else { return [] }
        let inputs = try await store.recentInputs(workflow: record.id, nodeType: "integration.http", executions: 50)
        let graph = WorkflowGraph(workflow, registry: registry)
        let ancestors = graph.ancestors()
        var found: [(FixCandidate, Double)] = []
        var removed: Set<Int> = []
        for later in calls where !removed.contains(later) {
            for earlier in calls where earlier != later && ancestors[later].contains(earlier) && !removed.contains(earlier) {
                let (first, second) = (workflow.nodes[earlier].id, workflow.nodes[later].id)
                let both = inputs.values.filter { $0[first] != nil && $0[second] != nil }
                let same = both.filter { $0[first] == $0[second] }.count
                guard both.count >= minimumRuns, Double(same) >= 0.8 * Double(both.count) else { continue }
                guard let candidate = dropRepeat(workflow, graph: graph, keep: earlier, drop: later, same: same, of: both.count) else { continue }
                found.append((candidate, statistics[second]?.p50 ?? 0))
                removed.insert(later)
                break
            }
        }
        return found
    }

    private func dropRepeat(_ workflow: Workflow, graph: WorkflowGraph, keep: Int, drop: Int, same: Int, of total: Int) -> FixCandidate? {
        let (first, second) = (workflow.nodes[keep].id, workflow.nodes[drop].id)
        var operations: [JSONPatch.Operation] = []
        // 1. Whoever read the repeat reads the original (indices still as they are).
        for (index, node) in workflow.nodes.enumerated() where index != drop {
            for (key, value) in node.configuration.sorted(by: { $0.key < $1.key }) {
                let renamed = AutoFixer.renameReferences(value, from: second, to: first)
                if renamed != value { operations.append(.init(.replace, WorkflowPatcher.node(index) + "/configuration/" + JSONPatch.escape(key), value: renamed)) }
            }
        }
        // 2. Its edges go (highest index first), 3. what followed it follows what preceded it, 4. the node goes.
        let touching = workflow.edges.indices.filter { workflow.edges[$0].source == second || workflow.edges[$0].target == second }
        guard workflow.edges.allSatisfy({ $0.source != second || $0.branch == nil }) else { return nil }
        for index in touching.sorted(by: >) { operations.append(.init(.remove, "/workflow/edges/\(index)")) }
        let before = workflow.edges.filter { $0.target == second }, after = workflow.edges.filter { $0.source == second }
        var added: Set<Edge> = []
        for incoming in before {
            for outgoing in after {
                let edge = Edge(source: incoming.source, target: outgoing.target, branch: incoming.branch)
                guard !workflow.edges.contains(edge), added.insert(edge).inserted else { continue }
                var value: [String: JSONValue] = ["source": .string(edge.source), "target": .string(edge.target)]
                if let branch = edge.branch { value["branch"] = .string(branch) }
                operations.append(.init(.add, "/workflow/edges/-", value: .object(value)))
            }
        }
        operations.append(.init(.remove, WorkflowPatcher.node(drop)))
        return FixCandidate(
            rule: "repeated_call", title: "Drop '\(second)': it repeats '\(first)'",
            rationale: "In \(same) of the last \(total) runs where both ran, '\(second)' sent exactly the request '\(first)' had already sent (same method, URL, headers and body). Reading '\(first)'s answer instead saves the call; a GET that must see a change made in between should stay.",
            confidence: 0.55, patch: JSONPatch(operations), evidence: ["identical": .int(same), "runs": .int(total)])
    }

    /// A schedule whose runs overlap while overlapping is allowed.
    private func overlaps(_ record: WorkflowRecord) async throws -> (FixCandidate, Double)? {
        guard let index = record.workflow.nodes.firstIndex(where: { $0.type == "trigger.schedule" }),
            record.workflow.nodes[index].configuration["allow_overlap"]?.boolValue == true
        else { return nil }
        let overlap = try await store.scheduleOverlaps(workflow: record.id, limit: 1000)
        guard overlap.runs >= minimumRuns, overlap.overlapping > 0 else { return nil }
        return (FixCandidate(
            rule: "overlapping_runs", title: "Stop scheduled runs of '\(record.name)' from overlapping",
            rationale: "\(overlap.overlapping) of its last \(overlap.runs) scheduled runs started while the previous one was still running (p95 run \(JSONValue.format(((overlap.p95Seconds ?? 0) * 10).rounded() / 10)) s). Runs of the same workflow racing each other is how duplicate deploys and half-written backups happen.",
            confidence: 0.7, patch: JSONPatch([.init(.replace, WorkflowPatcher.node(index) + "/configuration/allow_overlap", value: false)]),
            evidence: ["runs": .int(overlap.runs), "overlapping": .int(overlap.overlapping)]), Double(overlap.overlapping) / Double(overlap.runs) * 1000)
    }
}
