import Foundation
import WindFlowCore

/// Ids and new records as every store makes them.
public enum StoreIDs {
    /// A short random id: 16 hex digits from a UUID.
    public static func make() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
    }

    /// A new API key (`wf_` and 64 hex digits); only its hash is stored.
    public static func apiKey() -> String {
        var random = SystemRandomNumberGenerator()
        return "wf_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
    }
}

extension ExecutionRecord {
    /// A queued execution of `workflow`, as ``ExecutionStore/enqueueExecution`` stores it (started at once when it
    /// is seeded with a restart's first events).
    public static func queued(workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
                              restartNode: String?, id: String?, seeded: Bool, idempotencyKey: String?) -> ExecutionRecord {
        var record = ExecutionRecord(
            id: id ?? "ex_" + StoreIDs.make(), workflowID: workflow.id, workflowVersion: workflow.version,
            workflowName: workflow.name, triggerNode: triggerNode, triggerType: workflow.workflow.node(triggerNode)?.type ?? "trigger.manual",
            input: input, status: .queued, createdAt: now, restartedFrom: restartedFrom, restartNode: restartNode,
            idempotencyKey: idempotencyKey)
        if seeded { record.startedAt = now }
        return record
    }
}

extension FeedEntry {
    /// The event the feed shows for an execution's end (which is not an event of its own in the history).
    public static func endEvent(status: String, errorMessage: String?, finishedAt: Double?) -> String {
        var end: [String: JSONValue] = ["type": "execution_finished", "status": .string(status)]
        if let errorMessage { end["error"] = .string(errorMessage) }
        if let finishedAt { end["at"] = .double(finishedAt) }
        return JSONValue.object(end).jsonText
    }
}
