import WindFlowCore

/// How a store applies its limits to what it is given, the same for every implementation.
extension StoreLimits {
    /// JSON text of `value`, replaced by a preview note when it is over ``maxValueBytes``; the flag says it was cut.
    public func capped(_ value: JSONValue?) -> (text: String?, cut: Bool) {
        guard let value else { return (nil, false) }
        let text = value.jsonText
        guard text.utf8.count > maxValueBytes else { return (text, false) }
        let kept = String(decoding: text.utf8.prefix(maxValueBytes), as: UTF8.self)
        let note: JSONValue = ["truncated": true, "original_bytes": .int(text.utf8.count), "preview": .string(kept)]
        return (note.jsonText, true)
    }

    /// The end of a node's log tail that is kept.
    public func keptTail(_ tail: String?) -> String? {
        tail.map { String(decoding: $0.utf8.suffix(maxLogTailBytes), as: UTF8.self) }
    }

    /// The lines of `logs` that fit beside `stored` lines already kept for the execution, with a warning line when
    /// the limit cuts them.
    public func keptLogs(_ logs: [LogRecord], stored: Int) -> [LogRecord] {
        guard stored < maxLogLines else { return [] }
        var kept = Array(logs.prefix(maxLogLines - stored))
        if stored + logs.count > maxLogLines {
            kept.append(LogRecord(nodeKey: nil, at: logs.last?.at ?? 0, level: "warning",
                                  message: "log limit of \(maxLogLines) lines reached; later lines are not kept"))
        }
        return kept
    }
}
