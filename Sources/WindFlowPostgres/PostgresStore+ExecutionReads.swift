import PostgresNIO
import WindFlowCore
import WindFlowStore

/// Reading executions: records, snapshots, events, node runs and logs.
extension PostgresStore {
    public func execution(_ id: String) async throws -> ExecutionRecord? {
        try await rows("SELECT * FROM execution WHERE id = \(id)").first.map(Self.execution)
    }

    public func execution(workflow id: String, idempotencyKey key: String) async throws -> ExecutionRecord? {
        try await rows("SELECT * FROM execution WHERE workflow_id = \(id) AND idempotency_key = \(key)").first.map(Self.execution)
    }

    static func execution(workflow id: String, idempotencyKey key: String, in session: Session) async throws -> ExecutionRecord? {
        try await session.rows("SELECT * FROM execution WHERE workflow_id = \(id) AND idempotency_key = \(key)").first.map(Self.execution)
    }

    /// The execution whose id is `prefix` or starts with it, when exactly one does. The prefix is compared as text
    /// (`starts_with`), so `_` and `%` in it are plain characters.
    public func execution(matching prefix: String) async throws -> ExecutionRecord? {
        if let exact = try await execution(prefix) { return exact }
        let found = try await rows("SELECT * FROM execution WHERE starts_with(id, \(prefix)) LIMIT 2")
        return try found.count == 1 ? Self.execution(found[0]) : nil
    }

    /// Everything a run needs to start or resume, read from one snapshot of the database.
    public func runSnapshot(_ id: String) async throws -> RunSnapshot? {
        let read = try await transaction("REPEATABLE READ READ ONLY") { session -> (ExecutionRecord, Bool, [String], [String: String])? in
            guard let row = try await session.rows("SELECT * FROM execution WHERE id = \(id)").first else { return nil }
            let events = try await session.rows("SELECT event FROM execution_event WHERE execution_id = \(id) ORDER BY sequence")
                .map { try Columns($0)("event", String.self) }
            var secrets: [String: String] = [:]
            for secret in try await session.rows("SELECT name, value FROM secret") {
                let columns = Columns(secret)
                secrets[try columns("name")] = try columns("value")
            }
            return (try Self.execution(row), try Columns(row)("cancel_requested"), events, secrets)
        }
        guard let (record, cancelRequested, events, secrets) = read else { return nil }
        let workflow = try await workflow(record.workflowID, version: record.workflowVersion)
        return RunSnapshot(execution: record, workflow: workflow, events: events, cancelRequested: cancelRequested, secrets: secrets)
    }

    /// Executions, newest first; `before` (an execution id, the last one of the previous page) pages on to those
    /// created before it (an unknown cursor matches nothing, so the page is empty).
    public func executions(workflow: String?, status: ExecutionStatus?, limit: Int, before: String?) async throws -> [ExecutionRecord] {
        try await rows("""
            SELECT * FROM execution
            WHERE (\(workflow)::text IS NULL OR workflow_id = \(workflow) OR workflow_name = \(workflow))
              AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (\(before)::text IS NULL OR (created_at, seq) < (SELECT created_at, seq FROM execution WHERE id = \(before)))
            ORDER BY created_at DESC, seq DESC LIMIT \(limit)
            """).map(Self.execution)
    }

    public func unfinishedExecutions() async throws -> [ExecutionRecord] {
        try await rows("""
            SELECT * FROM execution WHERE status IN \(unescaped: ExecutionStatus.sql(ExecutionStatus.unfinished)) ORDER BY created_at, seq
            """).map(Self.execution)
    }

    public func hasUnfinishedExecution(workflow: String) async throws -> Bool {
        try await run("""
            SELECT 1 FROM execution WHERE workflow_id = \(workflow) AND status IN \(unescaped: ExecutionStatus.sql(ExecutionStatus.unfinished)) LIMIT 1
            """) > 0
    }

    /// Queued executions started by the failure of `id` (its error workflow).
    public func queuedFollowUps(of id: String) async throws -> [String] {
        try await rows("""
            SELECT id FROM execution WHERE status = \(unescaped: ExecutionStatus.queued.sql)
              AND windflow_jsonb(input) ->> 'execution_id' = \(id) AND windflow_jsonb(input) ->> 'event' = 'execution.failed'
            ORDER BY created_at, seq
            """).map { try Columns($0)("id") }
    }

    public func events(of id: String) async throws -> [String] {
        try await rows("SELECT event FROM execution_event WHERE execution_id = \(id) ORDER BY sequence").map { try Columns($0)("event") }
    }

    public func events(of id: String, after sequence: Int) async throws -> [(sequence: Int, event: String)] {
        try await rows("""
            SELECT sequence, event FROM execution_event WHERE execution_id = \(id) AND sequence > \(sequence) ORDER BY sequence LIMIT 500
            """).map { row in
            let columns = Columns(row)
            return (try columns("sequence"), try columns("event"))
        }
    }

    public func eventCount(of id: String) async throws -> Int {
        try await value("SELECT COUNT(*) FROM execution_event WHERE execution_id = \(id)", as: Int.self) ?? 0
    }

    public func nodeRuns(of id: String) async throws -> [NodeRunRecord] {
        try await rows("SELECT * FROM node_run WHERE execution_id = \(id) ORDER BY id").map { row in
            let columns = Columns(row)
            return NodeRunRecord(
                nodeKey: try columns("node_key"), nodeID: try columns("node_id"), nodeType: try columns("node_type"),
                attempt: try columns("attempt"), status: try columns.nodeRunStatus("status"), input: try columns.json("input"),
                output: try columns.json("output"), truncated: try columns("truncated"), errorKind: try columns.failureKind("error_kind"),
                errorMessage: try columns.optional("error_message"), errorDetails: try columns.failureDetails("error_details"),
                logTail: try columns.optional("log_tail"), startedAt: try columns.optional("started_at"),
                finishedAt: try columns.optional("finished_at"), durationMS: try columns.optional("duration_ms"))
        }
    }

    /// Node attempts recorded as started and never finished: a crash interrupted them.
    public func runningAttempts(of id: String) async throws -> [String: Int] {
        var attempts: [String: Int] = [:]
        for row in try await rows("""
            SELECT node_key, MAX(attempt) AS attempt FROM node_run
            WHERE execution_id = \(id) AND status = \(unescaped: NodeRunStatus.running.sql) GROUP BY node_key
            """) {
            let columns = Columns(row)
            attempts[try columns("node_key")] = try columns("attempt")
        }
        return attempts
    }

    public func logs(of id: String, after: Int64) async throws -> [LogRecord] {
        try await rows("SELECT * FROM execution_log WHERE execution_id = \(id) AND id > \(after) ORDER BY id").map(Self.log)
    }

    /// The log lines a node run wrote, stored with the event that finished it (same node, same time).
    public func logs(of id: String, node: String, at: Double) async throws -> [LogRecord] {
        try await rows("""
            SELECT node_key, at, level, message FROM execution_log WHERE execution_id = \(id) AND node_key = \(node) AND at = \(at) ORDER BY id
            """).map(Self.log)
    }

    static func log(_ row: PostgresRow) throws -> LogRecord {
        let columns = Columns(row)
        return LogRecord(nodeKey: try columns.optional("node_key"), at: try columns("at"), level: try columns("level"), message: try columns("message"))
    }

    static func execution(_ row: PostgresRow) throws -> ExecutionRecord {
        let columns = Columns(row)
        return ExecutionRecord(
            id: try columns("id"), workflowID: try columns("workflow_id"), workflowVersion: try columns("workflow_version"),
            workflowName: try columns("workflow_name"), triggerNode: try columns("trigger_node"), triggerType: try columns("trigger_type"),
            input: try columns.json("input") ?? [:], status: try columns.executionStatus("status"), createdAt: try columns("created_at"),
            startedAt: try columns.optional("started_at"), finishedAt: try columns.optional("finished_at"),
            errorKind: try columns.failureKind("error_kind"), errorMessage: try columns.optional("error_message"),
            errorNode: try columns.optional("error_node"), restartedFrom: try columns.optional("restarted_from"),
            restartNode: try columns.optional("restart_node"), idempotencyKey: try columns.optional("idempotency_key"))
    }
}
