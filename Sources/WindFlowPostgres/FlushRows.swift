import WindFlowCore
import WindFlowStore

/// A node attempt's columns as a flush writes them, values capped to the store's limits.
struct NodeRunRow {
    var nodeKey: String
    var nodeID: String
    var nodeType: String
    var attempt: Int
    var status: String
    var input: String?
    var output: String?
    var truncated: Bool
    var errorKind: String?
    var errorMessage: String?
    var errorDetails: String?
    var logTail: String?
    var startedAt: Double?
    var finishedAt: Double?
    var durationMS: Double?

    init(_ run: NodeRunRecord, limits: StoreLimits) {
        let (input, inputCut) = limits.capped(run.input)
        let (output, outputCut) = limits.capped(run.output)
        nodeKey = run.nodeKey
        nodeID = run.nodeID
        nodeType = run.nodeType
        attempt = run.attempt
        status = run.status.rawValue
        self.input = input
        self.output = output
        truncated = run.truncated || inputCut || outputCut
        errorKind = run.errorKind?.rawValue
        errorMessage = run.errorMessage
        errorDetails = run.errorDetails.flatMap { $0.isEmpty ? nil : $0.jsonValue.jsonText }
        logTail = limits.keptTail(run.logTail)
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        durationMS = run.durationMS
    }

    /// One row per attempt, in the order each was first seen: a later change of an attempt merged over the earlier
    /// one as the upsert merges a change into the stored row (what the later one leaves out is kept, the first start
    /// stays, a cut stays).
    static func merged(_ rows: [NodeRunRow]) -> [NodeRunRow] {
        var merged: [NodeRunRow] = []
        var index: [String: Int] = [:]
        for row in rows {
            let key = "\(row.nodeKey)\u{1F}\(row.attempt)"
            guard let at = index[key] else {
                index[key] = merged.count
                merged.append(row)
                continue
            }
            let earlier = merged[at]
            var later = row
            later.input = row.input ?? earlier.input
            later.output = row.output ?? earlier.output
            later.truncated = earlier.truncated || row.truncated
            later.errorKind = row.errorKind ?? earlier.errorKind
            later.errorMessage = row.errorMessage ?? earlier.errorMessage
            later.errorDetails = row.errorDetails ?? earlier.errorDetails
            later.logTail = row.logTail ?? earlier.logTail
            later.startedAt = earlier.startedAt ?? row.startedAt
            later.finishedAt = row.finishedAt ?? earlier.finishedAt
            later.durationMS = row.durationMS ?? earlier.durationMS
            merged[at] = later
        }
        return merged
    }

    /// The row as one element of the JSON array `json_to_recordset` reads.
    var jsonValue: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        return [
            "node_key": .string(nodeKey), "node_id": .string(nodeID), "node_type": .string(nodeType), "attempt": .int(attempt),
            "status": .string(status), "input": text(input), "output": text(output), "truncated": .bool(truncated),
            "error_kind": text(errorKind), "error_message": text(errorMessage), "error_details": text(errorDetails),
            "log_tail": text(logTail), "started_at": number(startedAt), "finished_at": number(finishedAt), "duration_ms": number(durationMS),
        ]
    }
}

/// What a flush changes on the execution's own row: the last status, end and error, the first start.
struct ExecutionChange {
    var status: ExecutionStatus?
    var startedAt: Double?
    var finishedAt: Double?
    var error: (kind: FailureKind, message: String, node: String?)?

    init(_ transitions: [Transition]) {
        for transition in transitions {
            status = transition.status ?? status
            startedAt = startedAt ?? transition.startedAt
            finishedAt = transition.finishedAt ?? finishedAt
            error = transition.error ?? error
        }
    }
}
