import Foundation
import WindFlowCore
import WindFlowStore

/// Fires the `trigger.schedule` nodes of active workflows. The next fire time of each is kept in the store, so a
/// restart neither repeats nor loses a run; runs missed while the service was down are skipped (`missed_runs: skip`,
/// the default) or run once (`run_once`). Time comes from the engine's clock.
struct Scheduler {
    let engine: WorkflowEngine

    /// Looks at every schedule once: enqueues what is due and plans the next fire.
    /// - Returns: The executions started.
    @discardableResult
    func tick() async throws -> [String] {
        let now = engine.runner.clock.now()
        var started: [String] = []
        for record in try await engine.store.workflows(activeOnly: true) {
            for node in record.workflow.nodes where node.type == "trigger.schedule" && !node.disabled {
                guard let text = node.configuration["schedule"]?.stringValue, let cron = try? CronExpression(text) else { continue }
                let parameters = NodeParameters(node)
                // The node's own zone, else the workflow's, else the one the registry declares.
                let zoneName = parameters.isSet("timezone") ? parameters["timezone"]?.stringValue
                    : record.workflow.settings.timezone ?? parameters.declaredDefault("timezone")?.stringValue
                guard let zone = zoneName.flatMap(TimeZone.init(identifier:)),
                    let policy = parameters["missed_runs"]?.stringValue, let overlapAllowed = parameters["allow_overlap"]?.boolValue
                else { continue }
                func next(after time: Double) -> Double? {
                    cron.next(after: Date(timeIntervalSince1970: time), in: zone)?.timeIntervalSince1970
                }
                guard let planned = try await engine.store.nextFire(workflow: record.id, node: node.id) else {
                    if let first = next(after: now) { try await engine.store.setNextFire(workflow: record.id, node: node.id, at: first) }
                    continue
                }
                guard planned <= now else { continue }
                // Fires missed beyond the one due now were during downtime.
                let missed = next(after: planned).map { $0 <= now } ?? false
                let fire = !missed || policy == "run_once"
                let busy = try await engine.store.hasUnfinishedExecution(workflow: record.id)
                if fire, overlapAllowed || !busy {
                    let input: JSONValue = [
                        "scheduled_time": .string(ExecutionStateMachine.iso8601(planned)), "fired_at": .string(ExecutionStateMachine.iso8601(now)),
                    ]
                    // One execution per due time, even when two schedulers see it (a restart mid-tick, several processes).
                    let execution = try await engine.start(record, trigger: node.id, input: input,
                                                           idempotencyKey: "\(WorkflowEngine.reservedKeyPrefix)schedule:\(node.id):\(ExecutionStateMachine.iso8601(planned))")
                    started.append(execution.id)
                }
                if let following = next(after: now) { try await engine.store.setNextFire(workflow: record.id, node: node.id, at: following) }
            }
        }
        return started
    }
}
