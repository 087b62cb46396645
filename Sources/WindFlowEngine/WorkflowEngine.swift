import Foundation
import WindFlowCore
import WindFlowStore

/// The engine's entry points: start a workflow, resume what a crash interrupted, wake parked executions, restart
/// from a step, cancel.
public struct WorkflowEngine: Sendable {
    public let runner: ExecutionRunner
    /// Rung when an execution is queued, so an idle worker takes it at once.
    public let signal: WakeSignal
    let runnable = RunnableVersions()
    public var store: any EngineStorage { runner.store }

    public init(runner: ExecutionRunner, signal: WakeSignal = WakeSignal()) {
        self.runner = runner
        self.signal = signal
    }

    /// Refuses a workflow that is invalid or uses node types without executors, before anything is stored.
    public func checkRunnable(_ workflow: Workflow) throws {
        let report = Validator().validate(workflow)
        guard report.isValid else {
            let first = report.errors.prefix(3).map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            throw EngineError("the workflow is not valid (\(report.errors.count) error\(report.errors.count == 1 ? "" : "s")): \(first)")
        }
        let missing = runner.executors.missingExecutors(in: workflow)
        guard missing.isEmpty else {
            throw EngineError("this workflow uses node types that cannot run yet: \(missing.joined(separator: ", ")); "
                + "they arrive with the integration and deployment actions")
        }
    }

    /// Runs an execution to its end, sleeping through waits (for the CLI's `run`); when it fails and its workflow
    /// names an error workflow, runs that one too (it was queued with the failure, in the same transaction).
    public func runToEnd(_ id: String) async throws -> RunResult {
        while true {
            let result = try await runner.run(id)
            if case .finished(.failed, _) = result {
                for followUp in try await store.queuedFollowUps(of: id) { _ = try await runner.run(followUp) }
            }
            guard case .parked(let until) = result else { return result }
            try await runner.clock.sleep(until: until)
        }
    }

    /// Finishes every execution a crash interrupted and every parked one whose time has come.
    /// - Returns: The executions taken up, with how each ended.
    public func resumeAll() async throws -> [(id: String, result: RunResult)] {
        var results: [(String, RunResult)] = []
        for record in try await store.unfinishedExecutions() {
            results.append((record.id, try await runner.run(record.id)))
        }
        return results
    }

    /// Asks a running execution to stop; it ends as cancelled.
    public func cancel(_ id: String) async throws {
        guard let record = try await store.execution(id) else { throw EngineError("there is no execution '\(id)'") }
        guard !record.status.isTerminal else {
            throw EngineError("execution \(id) is already \(record.status.rawValue)")
        }
        try await store.requestCancel(id)
        // A queued or parked execution is taken up at once, so the cancel does not wait for its timer.
        if record.status == .waiting || record.status == .queued {
            try await store.enqueueIfAbsent(id, now: runner.clock.now())
            signal.wake()
        }
    }

    /// A new execution of the same workflow version and input that reuses the outputs of every node upstream of
    /// `node` and runs `node` and everything after it again.
    public func restart(_ id: String, from node: String) async throws -> ExecutionRecord {
        guard let original = try await store.execution(id) else { throw EngineError("there is no execution '\(id)'") }
        guard let stored = try await store.workflow(original.workflowID, version: original.workflowVersion) else {
            throw EngineError("the workflow of execution \(id) is not stored")
        }
        let workflow = stored.workflow
        let graph = WorkflowGraph(workflow)
        guard let target = graph.indexByID[node] else {
            let hint = closestMatch(to: node, among: workflow.nodes.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
            throw EngineError("'\(node)' is not a node of \(workflow.name)\(hint)")
        }
        let ancestors = graph.ancestors()[target]
        // The final outcome of each node in the original run, from its events.
        var outcomes: [String: (JSONValue, String?)] = [:]
        for text in try await store.events(of: id) {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
                let event = ExecutionEvent(jsonValue: value)
            else { continue }
            switch event {
            case .nodeFinished(let key, _, .succeeded(let output, let branch), _) where key.frame.steps.isEmpty:
                outcomes[key.node] = (output, branch)
            case .reused(let key, let output, let branch, _): outcomes[key.node] = (output, branch)
            default: break
            }
        }
        try checkRunnable(workflow)
        let now = runner.clock.now()
        let order = graph.topologicalOrder().order.filter { ancestors.contains($0) }
        var seed = [Transition(event: ExecutionEvent.started(trigger: original.triggerNode, input: original.input, at: now).jsonValue.jsonText)]
        for index in order {
            let upstream = workflow.nodes[index]
            if upstream.id == original.triggerNode || (NodeRegistry.standard.type(upstream.type)?.isTrigger ?? false) { continue }
            guard let (output, branch) = outcomes[upstream.id] else { continue }
            var transition = Transition(event: ExecutionEvent.reused(NodeKey(upstream.id), output: output, branch: branch, at: now).jsonValue.jsonText)
            transition.nodeRuns = [NodeRunRecord(
                nodeKey: upstream.id, nodeID: upstream.id, nodeType: upstream.type, attempt: 0, status: .reused, output: output,
                startedAt: now, finishedAt: now, durationMS: 0)]
            seed.append(transition)
        }
        let record = try await store.enqueueExecution(
            workflow: stored, triggerNode: original.triggerNode, input: original.input, now: now, restartedFrom: id,
            restartNode: node, id: nil, seed: seed, idempotencyKey: nil)
        signal.wake()
        return record
    }
}
