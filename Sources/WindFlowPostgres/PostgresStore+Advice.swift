import PostgresNIO
import WindFlowCore
import WindFlowStore

/// What the advisors read from history, and the suggestions they make.
extension PostgresStore: AdviceStore {
    public func nodeHistory(workflow id: String, node: String) async throws -> NodeHistory {
        var history = NodeHistory()
        if let row = try await rows("""
            SELECT COUNT(*) AS attempts, COUNT(*) FILTER (WHERE status = \(unescaped: NodeRunStatus.succeeded.sql)) AS ok,
                   COUNT(*) FILTER (WHERE status = \(unescaped: NodeRunStatus.failed.sql)) AS failed, COUNT(*) FILTER (WHERE attempt > 1) AS retries
            FROM node_run WHERE workflow_id = \(id) AND node_id = \(node)
            """).first {
            let columns = Columns(row)
            history.attempts = try columns("attempts")
            history.succeeded = try columns("ok")
            history.failed = try columns("failed")
            history.retries = try columns("retries")
        }
        for row in try await rows("""
            SELECT error_kind, COUNT(*) AS n FROM node_run WHERE workflow_id = \(id) AND node_id = \(node) AND error_kind IS NOT NULL GROUP BY error_kind
            """) {
            history.failuresByKind[try Columns(row)("error_kind")] = try Columns(row)("n")
        }
        history.durations = try await rows("""
            SELECT duration_ms FROM node_run
            WHERE workflow_id = \(id) AND node_id = \(node) AND status = \(unescaped: NodeRunStatus.succeeded.sql) AND duration_ms IS NOT NULL
            ORDER BY id DESC LIMIT 1000
            """).map { try Columns($0)("duration_ms") }
        history.lastSuccessfulInput = try await rows("""
            SELECT input FROM node_run
            WHERE workflow_id = \(id) AND node_id = \(node) AND status = \(unescaped: NodeRunStatus.succeeded.sql) AND input IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """).first.flatMap { try Columns($0).json("input") }
        return history
    }

    /// The last version before `version` in which `node` failed with `kind`, and the first later one in which it
    /// succeeded: the change that fixed it then.
    public func precedent(workflow id: String, node: String, kind: FailureKind, before version: Int) async throws -> (failed: Int, fixed: Int)? {
        guard let failed = try await value("""
            SELECT MAX(e.workflow_version) FROM node_run n JOIN execution e ON e.id = n.execution_id
            WHERE n.workflow_id = \(id) AND n.node_id = \(node) AND n.error_kind = \(kind.rawValue) AND e.workflow_version < \(version)
            """, as: Int.self),
            let fixed = try await value("""
            SELECT MIN(e.workflow_version) FROM node_run n JOIN execution e ON e.id = n.execution_id
            WHERE n.workflow_id = \(id) AND n.node_id = \(node) AND n.status = \(unescaped: NodeRunStatus.succeeded.sql)
              AND e.workflow_version > \(failed) AND e.workflow_version < \(version)
            """, as: Int.self)
        else { return nil }
        return (failed, fixed)
    }

    /// Per node: attempts, outcomes, and succeeded-attempt duration percentiles read from the kept counters and
    /// histograms (a few hundred rows whatever the history's size), as the SQLite store reads them.
    public func nodeStatistics(workflow id: String) async throws -> [String: NodeStatistics] {
        var result: [String: NodeStatistics] = [:]
        for row in try await rows("SELECT node_id, attempts, ok, failed, late, timed FROM node_stats WHERE workflow_id = \(id) AND attempts > 0") {
            let columns = Columns(row)
            var statistics = NodeStatistics()
            statistics.attempts = try columns("attempts")
            statistics.succeeded = try columns("ok")
            statistics.failed = try columns("failed")
            statistics.succeededAfterRetry = try columns("late")
            let timed: Int = try columns("timed"), node: String = try columns("node_id")
            if timed > 0 {
                let p50Index = (timed - 1) / 2, p95Index = Int(Double(timed - 1) * 0.95)
                var seen = 0
                for bucket in try await rows("""
                    SELECT bucket, runs FROM node_duration WHERE workflow_id = \(id) AND node_id = \(node) AND runs > 0 ORDER BY bucket
                    """) {
                    let runs: Int = try Columns(bucket)("runs"), value: Double = try Columns(bucket)("bucket")
                    if statistics.p50 == nil, p50Index < seen + runs { statistics.p50 = value }
                    if p95Index < seen + runs { statistics.p95 = value; break }
                    seen += runs
                }
                statistics.max = try await value("""
                    SELECT MAX(duration_ms) FROM node_run WHERE workflow_id = \(id) AND node_id = \(node) AND status = \(unescaped: NodeRunStatus.succeeded.sql)
                    """, as: Double.self)
            }
            result[node] = statistics
        }
        return result
    }

    /// Finished runs of a workflow started by a schedule, and how many started while the one before was still running.
    public func scheduleOverlaps(workflow id: String, limit: Int) async throws -> (runs: Int, overlapping: Int, p95Seconds: Double?) {
        let spans = try await rows("""
            SELECT started_at, finished_at FROM execution
            WHERE workflow_id = \(id) AND trigger_type = 'trigger.schedule' AND started_at IS NOT NULL AND finished_at IS NOT NULL
            ORDER BY started_at DESC LIMIT \(limit)
            """).map { (start: try Columns($0)("started_at", Double.self), end: try Columns($0)("finished_at", Double.self)) }
        return ScheduleOverlaps.summary(spans)
    }

    /// The evaluated inputs of one node type's succeeded attempts in the workflow's latest `executions` runs.
    public func recentInputs(workflow id: String, nodeType: String, executions: Int) async throws -> [String: [String: JSONValue]] {
        var result: [String: [String: JSONValue]] = [:]
        for row in try await rows("""
            SELECT execution_id, node_id, input FROM node_run
            WHERE node_type = \(nodeType) AND status = \(unescaped: NodeRunStatus.succeeded.sql) AND input IS NOT NULL
              AND execution_id IN (SELECT id FROM execution WHERE workflow_id = \(id) ORDER BY created_at DESC LIMIT \(executions))
            """) {
            let columns = Columns(row)
            guard let value = try columns.json("input") else { continue }
            result[try columns("execution_id"), default: [:]][try columns("node_id")] = value
        }
        return result
    }

    /// How often each output of a condition or switch was taken in its latest `limit` successful runs. As in
    /// SQLite's `json_extract`, a `result` of true or 1 reads as "true", false or 0 as "false".
    public func branchCounts(workflow id: String, node: String, limit: Int) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await rows("""
            SELECT branch, COUNT(*) AS taken FROM (
                SELECT COALESCE(o ->> 'branch', CASE WHEN o -> 'result' IN ('true'::jsonb, '1'::jsonb) THEN 'true'
                                                     WHEN o -> 'result' IN ('false'::jsonb, '0'::jsonb) THEN 'false' END) AS branch
                FROM (SELECT windflow_jsonb(output) AS o, started_at FROM node_run
                      WHERE workflow_id = \(id) AND node_id = \(node) AND status = \(unescaped: NodeRunStatus.succeeded.sql)) runs
                WHERE o IS NOT NULL ORDER BY started_at DESC LIMIT \(limit)) taken
            WHERE branch IS NOT NULL GROUP BY branch
            """) {
            counts[try Columns(row)("branch")] = try Columns(row)("taken")
        }
        return counts
    }

    public func saveSuggestion(_ suggestion: SuggestionRecord) async throws -> String {
        let id = suggestion.id.isEmpty ? "sug_" + StoreIDs.make() : suggestion.id
        try await run("""
            INSERT INTO suggestion (id, kind, workflow_id, workflow_version, execution_id, node_id, rule, title, rationale, confidence,
                patch, evidence, source, status, created_at)
            VALUES (\(id), \(suggestion.kind), \(suggestion.workflowID), \(suggestion.workflowVersion), \(suggestion.executionID),
                \(suggestion.nodeID), \(suggestion.rule), \(suggestion.title), \(suggestion.rationale), \(suggestion.confidence),
                \(suggestion.patch.jsonText), \(suggestion.evidence.jsonText), \(suggestion.source), \(suggestion.status.rawValue), \(suggestion.createdAt))
            """)
        return id
    }

    /// The suggestion with this id, or the only one whose id starts with it.
    public func suggestion(_ id: String) async throws -> SuggestionRecord? {
        if let row = try await rows("SELECT * FROM suggestion WHERE id = \(id)").first { return try Self.suggestion(row) }
        let found = try await rows("SELECT * FROM suggestion WHERE starts_with(id, \(id)) LIMIT 2")
        return try found.count == 1 ? Self.suggestion(found[0]) : nil
    }

    public func suggestions(workflow: String?, execution: String?, limit: Int) async throws -> [SuggestionRecord] {
        try await rows("""
            SELECT * FROM suggestion WHERE (\(workflow)::text IS NULL OR workflow_id = \(workflow))
              AND (\(execution)::text IS NULL OR execution_id = \(execution))
            ORDER BY created_at DESC LIMIT \(limit)
            """).map(Self.suggestion)
    }

    /// Saves `workflow` as a new version and marks the suggestion applied, in one transaction; nil when the
    /// suggestion was not waiting to be applied (its row is locked while deciding).
    public func applySuggestion(_ id: String, workflow: Workflow, now: Double) async throws -> WorkflowRecord? {
        defer { generation.forget() }
        return try await transaction { session in
            guard try await session.value("SELECT status FROM suggestion WHERE id = \(id) FOR UPDATE", as: String.self)
                    == SuggestionRecord.Status.offered.rawValue else { return nil }
            let saved = try await Self.saveWorkflow(workflow, now: now, in: session)
            try await session.run("""
                UPDATE suggestion SET status = \(SuggestionRecord.Status.applied.rawValue), applied_version = \(saved.version), decided_at = \(now)
                WHERE id = \(id)
                """)
            return saved
        }
    }

    public func outcome(of suggestion: SuggestionRecord) async throws -> (succeeded: Int, finished: Int)? {
        guard let version = suggestion.appliedVersion else { return nil }
        guard let row = try await rows("""
            SELECT COUNT(*) FILTER (WHERE status = \(unescaped: ExecutionStatus.succeeded.sql)) AS ok, COUNT(*) AS n FROM execution
            WHERE workflow_id = \(suggestion.workflowID) AND workflow_version >= \(version)
              AND status IN \(unescaped: ExecutionStatus.sql([.succeeded, .failed]))
            """).first else { return (0, 0) }
        return (try Columns(row)("ok"), try Columns(row)("n"))
    }

    private static func suggestion(_ row: PostgresRow) throws -> SuggestionRecord {
        let columns = Columns(row)
        var record = SuggestionRecord(
            id: try columns("id"), kind: try columns("kind"), workflowID: try columns("workflow_id"),
            workflowVersion: try columns("workflow_version"), executionID: try columns.optional("execution_id"),
            nodeID: try columns.optional("node_id"), rule: try columns("rule"), title: try columns("title"), rationale: try columns("rationale"),
            confidence: try columns("confidence"), patch: try columns.json("patch") ?? .null, evidence: try columns.json("evidence") ?? .null,
            source: try columns("source"), createdAt: try columns("created_at"))
        record.status = SuggestionRecord.Status(rawValue: try columns("status")) ?? .offered
        record.appliedVersion = try columns.optional("applied_version")
        record.decidedAt = try columns.optional("decided_at")
        return record
    }
}
