import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// Stores a new proposal and returns its id (`prop_…`).
    @discardableResult
    public func saveProposal(_ proposal: ProposalRecord) throws -> String {
        var proposal = proposal
        if proposal.id.isEmpty { proposal.id = "prop_" + Self.newID() }
        try pool.write { db in
            try db.run(sql: """
                INSERT INTO proposal (id, status, prose, workflow_name, base_workflow_id, base_version, definition, valid, report,
                    rounds, provider, model, prompt_tokens, completion_tokens, latency_ms, explanation, assumptions, diff, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    proposal.id, proposal.status.rawValue, proposal.prose, proposal.workflowName, proposal.baseWorkflowID,
                    proposal.baseVersion, proposal.definition, proposal.valid, proposal.report.jsonText, proposal.rounds.jsonText,
                    proposal.provider, proposal.model, proposal.promptTokens, proposal.completionTokens, proposal.latencyMs,
                    proposal.explanation, JSONValue.array(proposal.assumptions.map { .string($0) }).jsonText, proposal.diff,
                    proposal.createdAt,
                ])
        }
        return proposal.id
    }

    /// The proposal with this id, or the only one whose id starts with it.
    public func proposal(_ id: String) throws -> ProposalRecord? {
        try pool.read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM proposal WHERE id = ?", arguments: [id]) { return Self.proposal(row) }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM proposal WHERE id LIKE ? LIMIT 2", arguments: [id + "%"])
            return rows.count == 1 ? Self.proposal(rows[0]) : nil
        }
    }

    /// The newest proposals first.
    public func proposals(limit: Int = 50) throws -> [ProposalRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM proposal ORDER BY created_at DESC LIMIT ?", arguments: [limit]).map(Self.proposal)
        }
    }

    /// Saves `workflow` as a new version (activating it when asked) and marks the proposal accepted, in one
    /// transaction; a proposal already decided is left alone.
    /// - Returns: The saved workflow, or nil when the proposal was not waiting for a decision.
    public func acceptProposal(_ id: String, workflow: Workflow, activate: Bool, now: Double) throws -> WorkflowRecord? {
        try pool.write { db in
            guard try String.fetchOne(db, sql: "SELECT status FROM proposal WHERE id = ?", arguments: [id]) == "proposed" else { return nil }
            var saved = try Self.saveWorkflow(workflow, now: now, in: db)
            if activate {
                try db.run(sql: "UPDATE workflow SET active = 1, updated_at = ? WHERE id = ?", arguments: [now, saved.id])
                saved.active = true
            }
            try db.run(sql: "UPDATE proposal SET status = 'accepted', accepted_workflow_id = ?, accepted_version = ?, decided_at = ? WHERE id = ?",
                       arguments: [saved.id, saved.version, now, id])
            return saved
        }
    }

    /// Marks a waiting proposal discarded. - Returns: whether it was waiting.
    public func discardProposal(_ id: String, now: Double) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "UPDATE proposal SET status = 'discarded', decided_at = ? WHERE id = ? AND status = 'proposed'", arguments: [now, id])
            return db.changesCount > 0
        }
    }

    public func recordLLMCall(_ call: LLMCallRecord) throws {
        try pool.write { db in
            try db.run(sql: """
                INSERT INTO llm_call (at, provider, model, purpose, prompt_tokens, completion_tokens, latency_ms, attempts, outcome, error, proposal_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [call.at, call.provider, call.model, call.purpose, call.promptTokens, call.completionTokens, call.latencyMs,
                            call.attempts, call.outcome, call.error, call.proposalID])
        }
    }

    /// Ties calls made before their proposal existed to it.
    public func attachLLMCalls(since: Double, purposeIn purposes: [String], toProposal id: String) throws {
        try pool.write { db in
            let marks = purposes.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE llm_call SET proposal_id = ? WHERE proposal_id IS NULL AND at >= ? AND purpose IN (\(marks))",
                           arguments: StatementArguments([id, since] as [any DatabaseValueConvertible]) + StatementArguments(purposes))
        }
    }

    /// The newest calls first.
    public func llmCalls(limit: Int = 100) throws -> [LLMCallRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM llm_call ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                LLMCallRecord(
                    at: row["at"], provider: row["provider"], model: row["model"], purpose: row["purpose"],
                    promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"], latencyMs: row["latency_ms"],
                    attempts: row["attempts"], outcome: row["outcome"], error: row["error"], proposalID: row["proposal_id"])
            }
        }
    }

    /// Calls by provider and outcome, and tokens by provider and direction, for /metrics.
    public func llmCallTotals() throws -> [(provider: String, outcome: String, calls: Int, promptTokens: Int, completionTokens: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT provider, outcome, COUNT(*) AS calls, SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion
                FROM llm_call GROUP BY provider, outcome ORDER BY provider, outcome
                """).map { ($0["provider"], $0["outcome"], $0["calls"], $0["prompt"], $0["completion"]) }
        }
    }

    /// Finished runs per workflow name: how many, and how many succeeded (for template recommendations).
    public func successCounts() throws -> [String: (succeeded: Int, finished: Int)] {
        try pool.read { db in
            var counts: [String: (Int, Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT workflow_name, SUM(status = \(ExecutionStatus.succeeded.sql)) AS ok, COUNT(*) AS finished FROM execution
                WHERE status IN \(ExecutionStatus.sql([.succeeded, .failed])) GROUP BY workflow_name
                """) {
                counts[row["workflow_name"]] = (row["ok"], row["finished"])
            }
            return counts
        }
    }

    private static func proposal(_ row: Row) -> ProposalRecord {
        func json(_ column: String) -> JSONValue {
            let text: String = row[column] ?? "null"
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        }
        var record = ProposalRecord(
            id: row["id"], status: ProposalRecord.Status(rawValue: row["status"]) ?? .proposed, prose: row["prose"],
            workflowName: row["workflow_name"], baseWorkflowID: row["base_workflow_id"], baseVersion: row["base_version"],
            definition: row["definition"], valid: row["valid"], report: json("report"), rounds: json("rounds"),
            provider: row["provider"], model: row["model"], promptTokens: row["prompt_tokens"],
            completionTokens: row["completion_tokens"], latencyMs: row["latency_ms"], explanation: row["explanation"],
            assumptions: json("assumptions").arrayValue?.compactMap(\.stringValue) ?? [], diff: row["diff"], createdAt: row["created_at"])
        record.acceptedWorkflowID = row["accepted_workflow_id"]
        record.acceptedVersion = row["accepted_version"]
        record.decidedAt = row["decided_at"]
        return record
    }
}
