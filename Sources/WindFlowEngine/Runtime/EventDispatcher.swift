import Foundation
import Logging
import WindFlowCore
import WindFlowStore

/// Starts the active workflows whose `trigger.event` matches an event: WindFlow's own (`execution.succeeded`,
/// `execution.failed`, `execution.cancelled`, `workflow.activated`, `workflow.deactivated`) or one posted to
/// `POST /api/v1/events`. The trigger's `workflow` and `filter` narrow it down.
public struct EventDispatcher: Sendable {
    let engine: WorkflowEngine
    let cache = GenerationCache<[String: [(WorkflowRecord, WorkflowNode)]]>()
    let logger: Logger

    public init(engine: WorkflowEngine, logger: Logger = Logger(label: "windflow.events")) {
        self.engine = engine
        self.logger = logger
    }

    /// - Returns: The executions started.
    @discardableResult
    public func publish(_ event: String, payload: [String: JSONValue]) async throws -> [String] {
        let now = engine.runner.clock.now()
        var input = payload
        input["event"] = .string(event)
        input["payload"] = .object(payload)
        input["occurred_at"] = .string(ExecutionStateMachine.iso8601(now))
        var started: [String] = []
        for (record, node) in try await listeners()[event] ?? [] {
            if let only = node.configuration["workflow"]?.stringValue, only != payload["workflow"]?.stringValue { continue }
            if let filter = node.configuration["filter"], !filter.isNull {
                let scope = ExpressionScope(["trigger": .object(input)])
                guard (try? Self.evaluate(filter, scope: scope))?.isTruthy ?? false else { continue }
            }
            // An execution's end starts each listener once, however often it is published (and not again when the
            // listener is also the failed run's error workflow, queued with the failure).
            let key = payload["execution_id"]?.stringValue.flatMap {
                event.hasPrefix("execution.") ? Self.idempotencyKey(event: event, execution: $0, trigger: node.id) : nil
            }
            started.append(try await engine.start(record, trigger: node.id, input: .object(input), idempotencyKey: key).id)
        }
        return started
    }

    /// The active event triggers by event name, rebuilt only when the active workflows change.
    private func listeners() async throws -> [String: [(WorkflowRecord, WorkflowNode)]] {
        let generation = try await engine.store.activeWorkflowsGeneration()
        if let table = cache.table(for: generation) { return table }
        var table: [String: [(WorkflowRecord, WorkflowNode)]] = [:]
        for record in try await engine.store.workflows(activeOnly: true) {
            for node in record.workflow.nodes where node.type == "trigger.event" && !node.disabled {
                guard let event = node.configuration["event"]?.stringValue else { continue }
                table[event, default: []].append((record, node))
            }
        }
        cache.store(table, generation: generation)
        return table
    }

    /// The event an execution's end is, unless it was itself started by an execution event (no cascades).
    func executionEnded(_ id: String) async {
        // Most executions end with nobody listening: then the record is not even read.
        let record: ExecutionRecord
        do {
            guard try await listeners().keys.contains(where: { $0.hasPrefix("execution.") }) else { return }
            guard let found = try await engine.store.execution(id), found.status.isTerminal else { return }
            record = found
        } catch {
            logger.error("the end of an execution could not be published", metadata: ["execution": "\(id)", "error": "\(error)"])
            return
        }
        if record.triggerType == "trigger.event", record.input["event"]?.stringValue?.hasPrefix("execution.") == true { return }
        var payload: [String: JSONValue] = [
            "workflow": .string(record.workflowName), "execution_id": .string(record.id), "status": .string(record.status.rawValue),
        ]
        if let error = record.errorMessage { payload["error"] = .string(error) }
        if let node = record.errorNode { payload["failed_node"] = .string(node) }
        do { try await publish("execution.\(record.status.rawValue)", payload: payload) } catch {
            logger.error("the workflows listening for an execution's end could not be started",
                         metadata: ["execution": "\(id)", "error": "\(error)"])
        }
    }

    /// The idempotency key of a start an execution's end causes: one per listening trigger and execution.
    static func idempotencyKey(event: String, execution: String, trigger: String) -> String {
        "\(WorkflowEngine.reservedKeyPrefix)\(event):\(execution):\(trigger)"
    }

    static func evaluate(_ condition: JSONValue, scope: ExpressionScope) throws -> JSONValue {
        guard case .string(let text) = condition else { return condition }
        if Template.containsPlaceholder(text) { return try Template.parse(text).render(in: scope) }
        return try ExpressionParser.parse(text).evaluate(in: scope)
    }
}

