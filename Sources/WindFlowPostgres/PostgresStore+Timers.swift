import PostgresNIO
import WindFlowCore
import WindFlowStore

/// Durable timers, cancel requests and retention.
extension PostgresStore {
    /// Timers due at `now` or before, oldest first.
    public func dueTimers(now: Double, limit: Int) async throws -> [(execution: String, nodeKey: String, at: Double)] {
        try await rows("SELECT execution_id, node_key, fire_at FROM timer WHERE fire_at <= \(now) ORDER BY fire_at LIMIT \(limit)").map { row in
            let columns = Columns(row)
            return (try columns("execution_id"), try columns("node_key"), try columns("fire_at"))
        }
    }

    public func nextTimer() async throws -> Double? {
        try await value("SELECT MIN(fire_at) FROM timer", as: Double.self)
    }

    /// Deletes an execution's timers other than `keep` (node keys), e.g. those of loop iterations that were dropped.
    public func clearTimers(of id: String, except keep: Set<String>) async throws {
        try await run("DELETE FROM timer WHERE execution_id = \(id) AND NOT (node_key = ANY(\(Array(keep))))")
    }

    public func requestCancel(_ id: String) async throws {
        try await run("UPDATE execution SET cancel_requested = true WHERE id = \(id)")
    }

    public func isCancelRequested(_ id: String) async throws -> Bool {
        try await value("SELECT cancel_requested FROM execution WHERE id = \(id)", as: Bool.self) ?? false
    }

    /// Deletes finished executions older than `keepDays`, and beyond the newest `keepExecutions` per workflow.
    public func sweep(keepDays: Double?, keepExecutions: Int?, now: Double) async throws -> Int {
        try await transaction { session in
            var deleted = 0
            if let keepDays {
                deleted += try await session.run("""
                    DELETE FROM execution WHERE finished_at IS NOT NULL AND finished_at < \(now - keepDays * 86_400) RETURNING 1
                    """)
            }
            if let keepExecutions {
                deleted += try await session.run("""
                    DELETE FROM execution WHERE id IN (
                        SELECT id FROM (
                            SELECT id, finished_at, ROW_NUMBER() OVER (PARTITION BY workflow_id ORDER BY created_at DESC, seq DESC) AS position
                            FROM execution
                        ) ranked WHERE position > \(keepExecutions) AND finished_at IS NOT NULL
                    ) RETURNING 1
                    """)
            }
            return deleted
        }
    }
}

/// Reading runs as they happen: the feed of every run's events.
extension PostgresStore {
    /// Events of every execution after feed position `position`, in commit order, with the execution and its
    /// workflow; an execution's end comes as an `execution_finished` event with its status.
    public func feed(after position: Int, workflow: String?, limit: Int) async throws -> [FeedEntry] {
        try await rows("""
            SELECT f.id, f.execution_id, e.event, x.workflow_name, x.status, x.error_message, x.finished_at FROM event_feed f
            LEFT JOIN execution_event e ON e.execution_id = f.execution_id AND e.sequence = f.sequence
            JOIN execution x ON x.id = f.execution_id
            WHERE f.id > \(position) AND (\(workflow)::text IS NULL OR x.workflow_name = \(workflow) OR x.workflow_id = \(workflow))
            ORDER BY f.id LIMIT \(limit)
            """).map { row in
            let columns = Columns(row)
            var event = try columns.optional("event", String.self) ?? ""
            if event.isEmpty {
                event = FeedEntry.endEvent(status: try columns("status"), errorMessage: try columns.optional("error_message"),
                                           finishedAt: try columns.optional("finished_at"))
            }
            return FeedEntry(position: try columns("id"), execution: try columns("execution_id"), workflow: try columns("workflow_name"), event: event)
        }
    }

    public func feedPosition() async throws -> Int {
        try await value("SELECT COALESCE(MAX(id), 0) FROM event_feed", as: Int.self) ?? 0
    }
}
