import WindFlowCore

/// Events are stored as JSON, one row each; this is their only encoding.
extension ExecutionEvent {
    public var jsonValue: JSONValue {
        switch self {
        case .started(let trigger, let input, let at):
            return ["type": "started", "trigger": .string(trigger), "input": input, "at": .double(at)]
        case .nodeFinished(let key, let attempt, let outcome, let at):
            return ["type": "node_finished", "node": .string(key.description), "attempt": .int(attempt),
                    "outcome": outcome.jsonValue, "at": .double(at)]
        case .timerFired(let key, let at):
            return ["type": "timer_fired", "node": .string(key.description), "at": .double(at)]
        case .resumed(let interrupted, let at):
            return ["type": "resumed", "interrupted": .array(interrupted.map { .string($0.description) }), "at": .double(at)]
        case .reused(let key, let output, let branch, let at):
            var object: [String: JSONValue] = ["type": "reused", "node": .string(key.description), "output": output, "at": .double(at)]
            if let branch { object["branch"] = .string(branch) }
            return .object(object)
        case .cancelled(let at): return ["type": "cancelled", "at": .double(at)]
        case .timedOut(let at): return ["type": "timed_out", "at": .double(at)]
        }
    }

    /// Reads what ``jsonValue`` wrote; `nil` for anything else.
    public init?(jsonValue value: JSONValue) {
        guard let type = value["type"]?.stringValue, let at = value["at"]?.doubleValue else { return nil }
        let key = value["node"]?.stringValue.flatMap(NodeKey.init(parsing:))
        switch type {
        case "started":
            guard let trigger = value["trigger"]?.stringValue else { return nil }
            self = .started(trigger: trigger, input: value["input"] ?? [:], at: at)
        case "node_finished":
            guard let key, let attempt = value["attempt"]?.intValue, let outcome = value["outcome"].flatMap(NodeOutcome.init(jsonValue:))
            else { return nil }
            self = .nodeFinished(key, attempt: attempt, outcome: outcome, at: at)
        case "timer_fired":
            guard let key else { return nil }
            self = .timerFired(key, at: at)
        case "resumed":
            let keys = (value["interrupted"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(NodeKey.init(parsing:)) }
            self = .resumed(interrupted: keys, at: at)
        case "reused":
            guard let key else { return nil }
            self = .reused(key, output: value["output"] ?? .null, branch: value["branch"]?.stringValue, at: at)
        case "cancelled": self = .cancelled(at: at)
        case "timed_out": self = .timedOut(at: at)
        default: return nil
        }
    }

    /// When the event happened.
    public var at: Double {
        switch self {
        case .started(_, _, let at), .nodeFinished(_, _, _, let at), .timerFired(_, let at), .resumed(_, let at),
            .reused(_, _, _, let at), .cancelled(let at), .timedOut(let at):
            return at
        }
    }
}

extension NodeOutcome {
    public var jsonValue: JSONValue {
        switch self {
        case .succeeded(let output, let branch):
            var object: [String: JSONValue] = ["status": "succeeded", "output": output]
            if let branch { object["branch"] = .string(branch) }
            return .object(object)
        case .failed(let failure):
            return ["status": "failed", "error": failure.jsonValue, "retryable": .bool(failure.retryable)]
        case .wait(let until): return ["status": "wait", "until": .double(until)]
        case .iterate(let items, let parallel): return ["status": "iterate", "items": .array(items), "parallel": .int(parallel)]
        case .stop(let succeeded, let message):
            return ["status": "stop", "succeeded": .bool(succeeded), "message": .string(message)]
        }
    }

    init?(jsonValue value: JSONValue) {
        switch value["status"]?.stringValue {
        case "succeeded"?: self = .succeeded(value["output"] ?? .null, branch: value["branch"]?.stringValue)
        case "failed"?:
            guard let error = value["error"], let kind = error["kind"]?.stringValue.flatMap(FailureKind.init(rawValue:)) else {
                return nil
            }
            self = .failed(NodeFailure(kind, error["message"]?.stringValue ?? "", retryable: value["retryable"]?.boolValue,
                                       details: FailureDetails(jsonValue: error), output: error["details"]))
        case "wait"?:
            guard let until = value["until"]?.doubleValue else { return nil }
            self = .wait(until: until)
        case "iterate"?:
            self = .iterate(value["items"]?.arrayValue ?? [], parallel: value["parallel"]?.intValue ?? 1)
        case "stop"?:
            self = .stop(succeeded: value["succeeded"]?.boolValue ?? true, message: value["message"]?.stringValue ?? "")
        default:
            return nil
        }
    }
}
