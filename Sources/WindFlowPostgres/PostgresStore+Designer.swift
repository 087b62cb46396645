import PostgresNIO
import WindFlowCore
import WindFlowStore

/// Proposals, the log of model calls, and success counts for template recommendations.
extension PostgresStore: DesignerStore {
    public func saveProposal(_ proposal: ProposalRecord) async throws -> String {
        let id = proposal.id.isEmpty ? "prop_" + StoreIDs.make() : proposal.id
        let assumptions = JSONValue.array(proposal.assumptions.map { .string($0) }).jsonText
        try await run("""
            INSERT INTO proposal (id, status, prose, workflow_name, base_workflow_id, base_version, definition, valid, report,
                rounds, provider, model, prompt_tokens, completion_tokens, latency_ms, explanation, assumptions, diff, created_at)
            VALUES (\(id), \(proposal.status.rawValue), \(proposal.prose), \(proposal.workflowName), \(proposal.baseWorkflowID),
                \(proposal.baseVersion), \(proposal.definition), \(proposal.valid), \(proposal.report.jsonText), \(proposal.rounds.jsonText),
                \(proposal.provider), \(proposal.model), \(proposal.promptTokens), \(proposal.completionTokens), \(proposal.latencyMs),
                \(proposal.explanation), \(assumptions), \(proposal.diff), \(proposal.createdAt))
            """)
        return id
    }

    /// The proposal with this id, or the only one whose id starts with it.
    public func proposal(_ id: String) async throws -> ProposalRecord? {
        if let row = try await rows("SELECT * FROM proposal WHERE id = \(id)").first { return try Self.proposal(row) }
        let found = try await rows("SELECT * FROM proposal WHERE starts_with(id, \(id)) LIMIT 2")
        return try found.count == 1 ? Self.proposal(found[0]) : nil
    }

    public func proposals(limit: Int) async throws -> [ProposalRecord] {
        try await rows("SELECT * FROM proposal ORDER BY created_at DESC LIMIT \(limit)").map(Self.proposal)
    }

    /// Saves `workflow` as a new version (activating it when asked) and marks the proposal accepted, in one
    /// transaction; nil when the proposal was not waiting for a decision (its row is locked while deciding).
    public func acceptProposal(_ id: String, workflow: Workflow, activate: Bool, now: Double) async throws -> WorkflowRecord? {
        defer { generation.forget() }
        return try await transaction { session in
            guard try await session.value("SELECT status FROM proposal WHERE id = \(id) FOR UPDATE", as: String.self)
                    == ProposalRecord.Status.proposed.rawValue else { return nil }
            var saved = try await Self.saveWorkflow(workflow, now: now, in: session)
            if activate {
                try await session.run("UPDATE workflow SET active = true, updated_at = \(now) WHERE id = \(saved.id)")
                saved.active = true
            }
            try await session.run("""
                UPDATE proposal SET status = \(ProposalRecord.Status.accepted.rawValue), accepted_workflow_id = \(saved.id),
                    accepted_version = \(saved.version), decided_at = \(now) WHERE id = \(id)
                """)
            return saved
        }
    }

    public func discardProposal(_ id: String, now: Double) async throws -> Bool {
        try await run("""
            UPDATE proposal SET status = \(ProposalRecord.Status.discarded.rawValue), decided_at = \(now)
            WHERE id = \(id) AND status = \(ProposalRecord.Status.proposed.rawValue) RETURNING 1
            """) > 0
    }

    public func recordLLMCall(_ call: LLMCallRecord) async throws {
        try await run("""
            INSERT INTO llm_call (at, provider, model, purpose, prompt_tokens, completion_tokens, latency_ms, attempts, outcome, error, proposal_id)
            VALUES (\(call.at), \(call.provider), \(call.model), \(call.purpose), \(call.promptTokens), \(call.completionTokens),
                \(call.latencyMs), \(call.attempts), \(call.outcome), \(call.error), \(call.proposalID))
            """)
    }

    public func attachLLMCalls(since: Double, purposeIn purposes: [String], toProposal id: String) async throws {
        try await run("UPDATE llm_call SET proposal_id = \(id) WHERE proposal_id IS NULL AND at >= \(since) AND purpose = ANY(\(purposes))")
    }

    public func llmCalls(limit: Int) async throws -> [LLMCallRecord] {
        try await rows("SELECT * FROM llm_call ORDER BY id DESC LIMIT \(limit)").map { row in
            let columns = Columns(row)
            return LLMCallRecord(
                at: try columns("at"), provider: try columns("provider"), model: try columns("model"), purpose: try columns("purpose"),
                promptTokens: try columns("prompt_tokens"), completionTokens: try columns("completion_tokens"),
                latencyMs: try columns("latency_ms"), attempts: try columns("attempts"), outcome: try columns("outcome"),
                error: try columns.optional("error"), proposalID: try columns.optional("proposal_id"))
        }
    }

    public func llmCallTotals() async throws -> [(provider: String, outcome: String, calls: Int, promptTokens: Int, completionTokens: Int)] {
        try await rows("""
            SELECT provider, outcome, COUNT(*) AS calls, SUM(prompt_tokens)::bigint AS prompt, SUM(completion_tokens)::bigint AS completion
            FROM llm_call GROUP BY provider, outcome ORDER BY provider COLLATE "C", outcome COLLATE "C"
            """).map { row in
            let columns = Columns(row)
            return (try columns("provider"), try columns("outcome"), try columns("calls"), try columns("prompt"), try columns("completion"))
        }
    }

    public func successCounts() async throws -> [String: (succeeded: Int, finished: Int)] {
        var counts: [String: (succeeded: Int, finished: Int)] = [:]
        for row in try await rows("""
            SELECT workflow_name, COUNT(*) FILTER (WHERE status = \(unescaped: ExecutionStatus.succeeded.sql)) AS ok, COUNT(*) AS finished
            FROM execution WHERE status IN \(unescaped: ExecutionStatus.sql([.succeeded, .failed])) GROUP BY workflow_name
            """) {
            let columns = Columns(row)
            counts[try columns("workflow_name")] = (try columns("ok"), try columns("finished"))
        }
        return counts
    }

    private static func proposal(_ row: PostgresRow) throws -> ProposalRecord {
        let columns = Columns(row)
        var record = ProposalRecord(
            id: try columns("id"), status: ProposalRecord.Status(rawValue: try columns("status")) ?? .proposed, prose: try columns("prose"),
            workflowName: try columns("workflow_name"), baseWorkflowID: try columns.optional("base_workflow_id"),
            baseVersion: try columns.optional("base_version"), definition: try columns.optional("definition"), valid: try columns("valid"),
            report: try columns.json("report") ?? .null, rounds: try columns.json("rounds") ?? .null, provider: try columns("provider"),
            model: try columns("model"), promptTokens: try columns("prompt_tokens"), completionTokens: try columns("completion_tokens"),
            latencyMs: try columns("latency_ms"), explanation: try columns("explanation"),
            assumptions: try columns.json("assumptions")?.arrayValue?.compactMap(\.stringValue) ?? [], diff: try columns.optional("diff"),
            createdAt: try columns("created_at"))
        record.acceptedWorkflowID = try columns.optional("accepted_workflow_id")
        record.acceptedVersion = try columns.optional("accepted_version")
        record.decidedAt = try columns.optional("decided_at")
        return record
    }
}
