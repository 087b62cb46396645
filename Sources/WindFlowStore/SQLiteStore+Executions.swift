import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// Creates an execution and puts it in the queue, in one transaction: once this returns, the trigger can be
    /// acknowledged — nothing is lost.
    public func enqueueExecution(
        workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String? = nil,
        restartNode: String? = nil, id: String? = nil, seed: [Transition] = [], idempotencyKey: String? = nil
    ) throws -> ExecutionRecord {
        var record = Self.queuedRecord(workflow: workflow, triggerNode: triggerNode, input: input, now: now, restartedFrom: restartedFrom,
                                       restartNode: restartNode, id: id, seeded: !seed.isEmpty)
        record.idempotencyKey = idempotencyKey
        return try pool.write { db in try insertOnce(record, seed: seed, db: db) }
    }

    /// The same without holding a thread while the writer is busy (for request handlers and triggers), in a
    /// transaction shared with concurrent writes (group commit). This is the one callers reach through
    /// ``ExecutionStore``.
    public func enqueueExecution(
        workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
        restartNode: String?, id: String?, seed: [Transition], idempotencyKey: String?
    ) async throws -> ExecutionRecord {
        var record = Self.queuedRecord(workflow: workflow, triggerNode: triggerNode, input: input, now: now, restartedFrom: restartedFrom,
                                       restartNode: restartNode, id: id, seeded: !seed.isEmpty)
        record.idempotencyKey = idempotencyKey
        return try await committer.write { [record] db in try self.insertOnce(record, seed: seed, db: db) }
    }

    /// The execution of `workflow` started with `key`, if there is one.
    public func execution(workflow: String, idempotencyKey key: String) throws -> ExecutionRecord? {
        try pool.read { db in try Self.execution(workflow: workflow, idempotencyKey: key, db: db) }
    }

    private static func execution(workflow: String, idempotencyKey key: String, db: Database) throws -> ExecutionRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM execution WHERE workflow_id = ? AND idempotency_key = ?"),
                         arguments: [workflow, key]).map(Self.execution)
    }

    /// Inserts `record` unless an execution of its workflow already has its idempotency key; answers the one stored.
    /// The check and the insert share the write transaction, and the unique index backs them for other processes.
    private func insertOnce(_ record: ExecutionRecord, seed: [Transition], db: Database) throws -> ExecutionRecord {
        if let key = record.idempotencyKey, let existing = try Self.execution(workflow: record.workflowID, idempotencyKey: key, db: db) {
            return existing
        }
        try insert(record, seed: seed, db: db)
        return record
    }

    private static func queuedRecord(workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
                                     restartNode: String?, id: String?, seeded: Bool) -> ExecutionRecord {
        .queued(workflow: workflow, triggerNode: triggerNode, input: input, now: now, restartedFrom: restartedFrom,
                restartNode: restartNode, id: id, seeded: seeded, idempotencyKey: nil)
    }

    private func insert(_ record: ExecutionRecord, seed: [Transition], db: Database) throws {
        try db.run(
            sql: """
                INSERT INTO execution (id, workflow_id, workflow_version, workflow_name, trigger_node, trigger_type, input,
                    status, created_at, restarted_from, restart_node, idempotency_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, \(ExecutionStatus.queued.sql), ?, ?, ?, ?)
                """,
            arguments: [record.id, record.workflowID, record.workflowVersion, record.workflowName, record.triggerNode,
                        record.triggerType, record.input.jsonText, record.createdAt, record.restartedFrom, record.restartNode,
                        record.idempotencyKey])
        try db.run(sql: "INSERT INTO queue (execution_id, available_at) VALUES (?, ?)", arguments: [record.id, record.createdAt])
        // A restart's first events go in with it: a crash cannot leave it half seeded.
        for (index, transition) in seed.enumerated() {
            if let event = transition.event {
                try db.run(sql: "INSERT INTO execution_event (execution_id, sequence, event) VALUES (?, ?, ?)",
                           arguments: [record.id, index + 1, event])
            }
            for run in transition.nodeRuns { try upsert(run, execution: record.id, workflowID: record.workflowID, db: db) }
        }
        if !seed.isEmpty { try db.run(sql: "UPDATE execution SET started_at = ? WHERE id = ?", arguments: [record.createdAt, record.id]) }
    }

    /// Commits one transition: its event, node runs, timers, logs and status change, all or nothing.
    public func commit(_ transition: Transition, execution id: String, workflowID: String) throws {
        try commit([transition], execution: id, workflowID: workflowID)
    }

    /// Commits transitions of one execution in order, in one transaction: all or nothing.
    public func commit(_ transitions: [Transition], execution id: String, workflowID: String) throws {
        guard !transitions.isEmpty else { return }
        try pool.write { db in
            for transition in transitions { try apply(transition, execution: id, workflowID: workflowID, db: db) }
        }
    }

    /// The same, suspending rather than holding a thread while the writer is busy, and sharing the transaction with
    /// other executions' commits under load (group commit).
    public func commit(_ transitions: [Transition], execution id: String, workflowID: String) async throws {
        guard !transitions.isEmpty else { return }
        let fence = ClaimFence.worker
        try await committer.write { db in
            if let fence, try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM queue WHERE execution_id = ? AND claimed_by = ?"),
                                            arguments: [id, fence]) == nil {
                throw ClaimLost(execution: id, worker: fence)
            }
            for transition in transitions { try self.apply(transition, execution: id, workflowID: workflowID, db: db) }
        }
    }

    private func apply(_ transition: Transition, execution id: String, workflowID: String, db: Database) throws {
        if let event = transition.event {
            let next = try transition.sequence ?? Int.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM execution_event WHERE execution_id = ?"),
                arguments: [id]) ?? 1
            try db.run(sql: "INSERT INTO execution_event (execution_id, sequence, event) VALUES (?, ?, ?)",
                           arguments: [id, next, event])
        }
        for run in transition.nodeRuns { try upsert(run, execution: id, workflowID: workflowID, db: db) }
        for timer in transition.setTimers {
            try db.run(sql: "INSERT OR REPLACE INTO timer (execution_id, node_key, fire_at) VALUES (?, ?, ?)",
                           arguments: [id, timer.nodeKey, timer.at])
        }
        for key in transition.clearTimers {
            try db.run(sql: "DELETE FROM timer WHERE execution_id = ? AND node_key = ?", arguments: [id, key])
        }
        if !transition.logs.isEmpty { try appendLogs(transition.logs, execution: id, db: db) }
        if let status = transition.status {
            try db.run(sql: "UPDATE execution SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
        }
        if let startedAt = transition.startedAt {
            try db.run(sql: "UPDATE execution SET started_at = COALESCE(started_at, ?) WHERE id = ?", arguments: [startedAt, id])
        }
        if let finishedAt = transition.finishedAt {
            try db.run(sql: "UPDATE execution SET finished_at = ? WHERE id = ?", arguments: [finishedAt, id])
            try db.run(sql: "DELETE FROM timer WHERE execution_id = ?", arguments: [id])
            try db.run(sql: "DELETE FROM queue WHERE execution_id = ?", arguments: [id])
        }
        if let error = transition.error {
            try db.run(sql: "UPDATE execution SET error_kind = ?, error_message = ?, error_node = ? WHERE id = ?",
                           arguments: [error.kind.rawValue, error.message, error.node, id])
        }
        if let followUp = transition.followUp {
            var record = Self.queuedRecord(workflow: followUp.workflow, triggerNode: followUp.triggerNode, input: followUp.input,
                                           now: transition.finishedAt ?? 0, restartedFrom: nil, restartNode: nil, id: nil, seeded: false)
            record.idempotencyKey = followUp.idempotencyKey
            _ = try insertOnce(record, seed: [], db: db)
        }
        if transition.dequeue {
            // A worker's claim stays until the worker releases it, so no one else takes the execution meanwhile.
            try db.run(sql: "DELETE FROM queue WHERE execution_id = ? AND claimed_by IS NULL", arguments: [id])
        }
    }

    private func upsert(_ run: NodeRunRecord, execution: String, workflowID: String, db: Database) throws {
        let (input, inputCut) = limits.capped(run.input)
        let (output, outputCut) = limits.capped(run.output)
        let tail = limits.keptTail(run.logTail)
        try db.run(
            sql: """
                INSERT INTO node_run (execution_id, workflow_id, node_key, node_id, node_type, attempt, status, input, output,
                    truncated, error_kind, error_message, error_details, log_tail, started_at, finished_at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (execution_id, node_key, attempt) DO UPDATE SET
                    status = excluded.status,
                    input = COALESCE(excluded.input, node_run.input),
                    output = COALESCE(excluded.output, node_run.output),
                    truncated = MAX(node_run.truncated, excluded.truncated),
                    error_kind = COALESCE(excluded.error_kind, node_run.error_kind),
                    error_message = COALESCE(excluded.error_message, node_run.error_message),
                    error_details = COALESCE(excluded.error_details, node_run.error_details),
                    log_tail = COALESCE(excluded.log_tail, node_run.log_tail),
                    started_at = COALESCE(node_run.started_at, excluded.started_at),
                    finished_at = COALESCE(excluded.finished_at, node_run.finished_at),
                    duration_ms = COALESCE(excluded.duration_ms, node_run.duration_ms)
                """,
            arguments: [execution, workflowID, run.nodeKey, run.nodeID, run.nodeType, run.attempt, run.status.rawValue, input, output,
                        run.truncated || inputCut || outputCut, run.errorKind?.rawValue, run.errorMessage,
                        run.errorDetails.flatMap { $0.isEmpty ? nil : $0.jsonValue.jsonText }, tail, run.startedAt,
                        run.finishedAt, run.durationMS])
    }

    private func appendLogs(_ logs: [LogRecord], execution: String, db: Database) throws {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM execution_log WHERE execution_id = ?", arguments: [execution]) ?? 0
        for log in limits.keptLogs(logs, stored: count) {
            try db.run(sql: "INSERT INTO execution_log (execution_id, node_key, at, level, message) VALUES (?, ?, ?, ?, ?)",
                           arguments: [execution, log.nodeKey, log.at, log.level, log.message])
        }
    }

    // MARK: Reading

    public func execution(_ id: String) throws -> ExecutionRecord? {
        try pool.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM execution WHERE id = ?"), arguments: [id]).map(Self.execution) }
    }

    /// Everything a run needs to start or resume, read in one transaction: the execution, its workflow version, its
    /// stored events, whether a cancel was asked for, and the stored secrets.
    /// Synchronous on purpose: GRDB's async reads can hold a reader connection while they wait for a thread of the
    /// concurrency pool, which synchronous reads elsewhere may be blocking (a deadlock seen under load on 2 cores).
    public func runSnapshot(_ id: String) throws -> RunSnapshot? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM execution WHERE id = ?"), arguments: [id]) else { return nil }
            let record = try Self.execution(row)
            return RunSnapshot(
                execution: record, workflow: try workflow(record.workflowID, version: record.workflowVersion, db: db),
                events: try String.fetchAll(db.cachedStatement(sql: "SELECT event FROM execution_event WHERE execution_id = ? ORDER BY sequence"), arguments: [id]),
                cancelRequested: row["cancel_requested"] ?? false,
                secrets: Dictionary(try Row.fetchAll(db.cachedStatement(sql: "SELECT name, value FROM secret")).map { ($0["name"] as String, $0["value"] as String) },
                                    uniquingKeysWith: { $1 }))
        }
    }

    /// The execution whose id starts with `prefix`, when exactly one does.
    public func execution(matching prefix: String) throws -> ExecutionRecord? {
        if let exact = try execution(prefix) { return exact }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM execution WHERE id LIKE ? LIMIT 2", arguments: [prefix + "%"])
        }
        return try rows.count == 1 ? Self.execution(rows[0]) : nil
    }

    /// Stored events of an execution, in order, as JSON text.
    public func events(of id: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT event FROM execution_event WHERE execution_id = ? ORDER BY sequence", arguments: [id])
        }
    }

    public func nodeRuns(of id: String) throws -> [NodeRunRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM node_run WHERE execution_id = ? ORDER BY id", arguments: [id]).map { row in
                NodeRunRecord(
                    nodeKey: row["node_key"], nodeID: row["node_id"], nodeType: row["node_type"], attempt: row["attempt"],
                    status: try row.nodeRunStatus("status"), input: (row["input"] as String?).flatMap(Self.json),
                    output: (row["output"] as String?).flatMap(Self.json), truncated: row["truncated"],
                    errorKind: row.failureKind("error_kind"), errorMessage: row["error_message"],
                    errorDetails: row.failureDetails("error_details"), logTail: row["log_tail"],
                    startedAt: row["started_at"], finishedAt: row["finished_at"], durationMS: row["duration_ms"])
            }
        }
    }

    public func logs(of id: String, after: Int64 = 0) throws -> [LogRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM execution_log WHERE execution_id = ? AND id > ? ORDER BY id", arguments: [id, after])
                .map { LogRecord(nodeKey: $0["node_key"], at: $0["at"], level: $0["level"], message: $0["message"]) }
        }
    }

    /// Executions, newest first, optionally of one workflow or status.
    /// Executions, newest first; `before` (an execution id, the last one of the previous page) pages on to those created
    /// before it.
    public func executions(workflow: String? = nil, status: ExecutionStatus? = nil, limit: Int = 50, before: String? = nil) throws -> [ExecutionRecord] {
        try pool.read { db in
            var sql = "SELECT * FROM execution WHERE 1 = 1"
            var arguments: [DatabaseValueConvertible?] = []
            if let workflow {
                sql += " AND (workflow_id = ? OR workflow_name = ?)"
                arguments += [workflow, workflow]
            }
            if let status {
                sql += " AND status = ?"
                arguments.append(status.rawValue)
            }
            if let before {
                // Rows are ordered by (created_at, rowid); an unknown cursor matches nothing, so the page is empty.
                sql += """
                     AND (created_at, rowid) < (SELECT created_at, rowid FROM execution WHERE id = ?)
                    """
                arguments.append(before)
            }
            sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.execution)
        }
    }

    /// Executions that are not over: queued, running or waiting (what a restart must pick up).
    public func unfinishedExecutions() throws -> [ExecutionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM execution WHERE status IN \(ExecutionStatus.sql(ExecutionStatus.unfinished)) ORDER BY created_at")
                .map(Self.execution)
        }
    }

    /// Timers due at `now` or before.
    public func dueTimers(now: Double, limit: Int = 1000) throws -> [(execution: String, nodeKey: String, at: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM timer WHERE fire_at <= ? ORDER BY fire_at LIMIT ?", arguments: [now, limit])
                .map { ($0["execution_id"], $0["node_key"], $0["fire_at"]) }
        }
    }

    /// The earliest timer, if any.
    public func nextTimer() throws -> Double? {
        try pool.read { db in try Double.fetchOne(db, sql: "SELECT MIN(fire_at) FROM timer") }
    }

    static func execution(_ row: Row) throws -> ExecutionRecord {
        ExecutionRecord(
            id: row["id"], workflowID: row["workflow_id"], workflowVersion: row["workflow_version"],
            workflowName: row["workflow_name"], triggerNode: row["trigger_node"], triggerType: row["trigger_type"],
            input: json(row["input"]) ?? [:], status: try row.executionStatus("status"), createdAt: row["created_at"], startedAt: row["started_at"],
            finishedAt: row["finished_at"], errorKind: row.failureKind("error_kind"), errorMessage: row["error_message"],
            errorNode: row["error_node"], restartedFrom: row["restarted_from"], restartNode: row["restart_node"],
            idempotencyKey: row["idempotency_key"])
    }

    static func json(_ text: String) -> JSONValue? {
        try? JSONValue.parse(text)
    }
}

extension SQLiteStore {
    /// Asks the process running the execution to cancel it (it checks often); a queued or parked execution is
    /// cancelled by whoever picks it up next.
    public func requestCancel(_ id: String) throws {
        try pool.write { db in try db.run(sql: "UPDATE execution SET cancel_requested = 1 WHERE id = ?", arguments: [id]) }
    }

    public func isCancelRequested(_ id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM execution WHERE id = ?", arguments: [id]) ?? false }
    }

    /// Node attempts recorded as started and never finished: a crash interrupted them.
    public func runningAttempts(of id: String) throws -> [String: Int] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT node_key, MAX(attempt) AS attempt FROM node_run WHERE execution_id = ? AND status = \(NodeRunStatus.running.sql) GROUP BY node_key",
                                        arguments: [id])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["node_key"] as String, $0["attempt"] as Int) })
        }
    }

    /// Deletes finished executions older than `keepDays`, and beyond the newest `keepExecutions` per workflow.
    /// - Returns: How many executions were deleted (with their events, node runs and logs).
    @discardableResult
    public func sweep(keepDays: Double?, keepExecutions: Int?, now: Double) throws -> Int {
        try pool.write { db in
            var deleted = 0
            if let keepDays {
                try db.run(sql: "DELETE FROM execution WHERE finished_at IS NOT NULL AND finished_at < ?",
                               arguments: [now - keepDays * 86_400])
                deleted += db.changesCount
            }
            if let keepExecutions {
                try db.run(sql: """
                    DELETE FROM execution WHERE id IN (
                        SELECT id FROM (
                            SELECT id, finished_at, ROW_NUMBER() OVER (PARTITION BY workflow_id ORDER BY created_at DESC) AS position
                            FROM execution
                        ) WHERE position > ? AND finished_at IS NOT NULL
                    )
                    """, arguments: [keepExecutions])
                deleted += db.changesCount
            }
            return deleted
        }
    }
}

extension SQLiteStore {
    /// How many events an execution has stored.
    public func eventCount(of id: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM execution_event WHERE execution_id = ?", arguments: [id]) ?? 0 }
    }
}

extension SQLiteStore {
    /// Queued executions started by the failure of `id` (its error workflow).
    public func queuedFollowUps(of id: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM execution WHERE status = \(ExecutionStatus.queued.sql) AND json_extract(input, '$.execution_id') = ?
                AND json_extract(input, '$.event') = 'execution.failed' ORDER BY created_at
                """, arguments: [id])
        }
    }
}

extension SQLiteStore {
    /// Whether the workflow has an execution that is not over (for schedules that must not overlap).
    public func hasUnfinishedExecution(workflow: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM execution WHERE workflow_id = ? AND status IN \(ExecutionStatus.sql(ExecutionStatus.unfinished)) LIMIT 1",
                              arguments: [workflow]) ?? false
        }
    }

    /// Deletes an execution's timers other than `keep` (node keys), e.g. those of loop iterations that were dropped.
    public func clearTimers(of id: String, except keep: Set<String>) throws {
        try pool.write { db in
            let keys = try String.fetchAll(db, sql: "SELECT node_key FROM timer WHERE execution_id = ?", arguments: [id])
            for key in keys where !keep.contains(key) {
                try db.run(sql: "DELETE FROM timer WHERE execution_id = ? AND node_key = ?", arguments: [id, key])
            }
        }
    }
}
