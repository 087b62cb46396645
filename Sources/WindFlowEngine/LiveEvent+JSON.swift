import WindFlowCore

/// The live events as server-sent events carry them: an `event:` name and a small JSON `data:` (docs/API.md, "Live
/// events"). Times are RFC 3339 text like every time in the API.
extension LiveEvent {
    /// The SSE event name.
    public var name: String {
        switch self {
        case .executionStarted: return "execution_started"
        case .nodeStarted: return "node_started"
        case .nodeFinished: return "node_finished"
        case .nodeSkipped: return "node_skipped"
        case .retryScheduled: return "retry_scheduled"
        case .nodeWaiting: return "node_waiting"
        case .nodeIterating: return "node_iterating"
        case .executionFinished: return "execution_finished"
        }
    }

    /// The SSE data.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue]
        switch self {
        case .executionStarted(let trigger, let at):
            object = ["trigger": .string(trigger), "at": .timestamp(at)]
        case .nodeStarted(let key, let attempt, let at):
            object = Self.node(key, at: at)
            object["attempt"] = .int(attempt)
        case .nodeFinished(let key, let attempt, let status, let branch, let error, let at):
            object = Self.node(key, at: at)
            object["status"] = .string(status.rawValue)
            if let attempt { object["attempt"] = .int(attempt) }
            if let branch { object["branch"] = .string(branch) }
            if let error { object["error"] = error.jsonValue }
        case .nodeSkipped(let key, let at):
            object = Self.node(key, at: at)
        case .retryScheduled(let key, let attempt, let retryAt, let error, let at):
            object = Self.node(key, at: at)
            object["attempt"] = .int(attempt)
            object["retry_at"] = .timestamp(retryAt)
            if let error { object["error"] = error.jsonValue }
        case .nodeWaiting(let key, let until, let at):
            object = Self.node(key, at: at)
            object["until"] = .timestamp(until)
        case .nodeIterating(let key, let items, let at):
            object = Self.node(key, at: at)
            object["items"] = .int(items)
        case .executionFinished(let status, let error, let at):
            object = ["status": .string(status.rawValue)]
            if let at { object["at"] = .timestamp(at) }
            if let error { object["error"] = error.jsonValue }
        }
        return .object(object)
    }

    /// `node` is the run's key (`each[2]/step` inside a loop), `node_id` the workflow node.
    private static func node(_ key: NodeKey, at: Double) -> [String: JSONValue] {
        ["node": .string(key.description), "node_id": .string(key.node), "at": .timestamp(at)]
    }
}

extension LiveError {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["kind": .string(kind.rawValue), "message": .string(message)]
        if let node { object["node"] = .string(node) }
        return .object(object)
    }
}
