import WindFlowCore

extension ExecutionRecord {
    /// The execution as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "workflow_id": .string(workflowID), "workflow_name": .string(workflowName),
            "workflow_version": .int(workflowVersion), "trigger_node": .string(triggerNode), "trigger_type": .string(triggerType),
            "input": input, "status": .string(status.rawValue), "created_at": .timestamp(createdAt),
        ]
        if let startedAt { object["started_at"] = .timestamp(startedAt) }
        if let finishedAt { object["finished_at"] = .timestamp(finishedAt) }
        if let errorKind { object["error_kind"] = .string(errorKind.rawValue) }
        if let errorMessage { object["error_message"] = .string(errorMessage) }
        if let errorNode { object["error_node"] = .string(errorNode) }
        if let restartedFrom { object["restarted_from"] = .string(restartedFrom) }
        if let restartNode { object["restart_node"] = .string(restartNode) }
        if let idempotencyKey { object["idempotency_key"] = .string(idempotencyKey) }
        return .object(object)
    }
}

extension NodeRunRecord {
    /// The node run as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "node": .string(nodeKey), "node_id": .string(nodeID), "type": .string(nodeType), "attempt": .int(attempt),
            "status": .string(status.rawValue), "truncated": .bool(truncated),
        ]
        if let input { object["input"] = input }
        if let output { object["output"] = output }
        if let errorKind { object["error_kind"] = .string(errorKind.rawValue) }
        if let errorMessage { object["error_message"] = .string(errorMessage) }
        if let errorDetails, !errorDetails.isEmpty { object["error_details"] = errorDetails.jsonValue }
        if let logTail { object["log_tail"] = .string(logTail) }
        if let startedAt { object["started_at"] = .timestamp(startedAt) }
        if let finishedAt { object["finished_at"] = .timestamp(finishedAt) }
        if let durationMS { object["duration_ms"] = .double(durationMS) }
        return .object(object)
    }
}
