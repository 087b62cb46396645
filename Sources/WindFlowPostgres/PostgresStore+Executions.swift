import PostgresNIO
import WindFlowCore
import WindFlowStore

/// Writing executions: the enqueue that creates one, and the commits of its transitions.
extension PostgresStore {
    /// Creates an execution and puts it in the queue, in one transaction: once this returns, the trigger can be
    /// acknowledged. With an idempotency key an execution of the workflow already has, that one is returned; the
    /// unique index decides between processes starting it at the same moment (the later insert waits, then finds it).
    public func enqueueExecution(
        workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
        restartNode: String?, id: String?, seed: [Transition], idempotencyKey: String?
    ) async throws -> ExecutionRecord {
        let record = ExecutionRecord.queued(workflow: workflow, triggerNode: triggerNode, input: input, now: now, restartedFrom: restartedFrom,
                                            restartNode: restartNode, id: id, seeded: !seed.isEmpty, idempotencyKey: idempotencyKey)
        return try await transaction { [self] session in
            if !seed.isEmpty { try await session.run("SELECT \(unescaped: PostgresSchema.feedLock)") }
            return try await insertOnce(record, seed: seed, in: session)
        }
    }

    /// Inserts `record` and its queue row unless an execution of its workflow already has its idempotency key;
    /// answers the one stored.
    private func insertOnce(_ record: ExecutionRecord, seed: [Transition], in session: Session) async throws -> ExecutionRecord {
        let inserted = try await session.run("""
            INSERT INTO execution (id, workflow_id, workflow_version, workflow_name, trigger_node, trigger_type, input,
                status, created_at, started_at, restarted_from, restart_node, idempotency_key)
            VALUES (\(record.id), \(record.workflowID), \(record.workflowVersion), \(record.workflowName), \(record.triggerNode),
                \(record.triggerType), \(record.input.jsonText), \(unescaped: ExecutionStatus.queued.sql), \(record.createdAt),
                \(record.startedAt), \(record.restartedFrom), \(record.restartNode), \(record.idempotencyKey))
            ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING 1
            """)
        guard inserted > 0 else {
            guard let key = record.idempotencyKey, let existing = try await Self.execution(workflow: record.workflowID, idempotencyKey: key, in: session)
            else { throw StoreError("the execution \(record.id) was not stored, and no execution has its idempotency key") }
            return existing
        }
        // The notification is delivered at commit, to every process listening.
        try await session.run("""
            WITH queued AS (INSERT INTO queue (execution_id, available_at) VALUES (\(record.id), \(record.createdAt)) RETURNING 1)
            SELECT pg_notify(\(queueChannel), '') FROM queued
            """)
        // A restart's first events go in with it: a crash cannot leave it half seeded.
        try await insertEvents(seed.enumerated().compactMap { index, transition in transition.event.map { (index + 1, $0) } },
                               execution: record.id, in: session)
        try await upsert(seed.flatMap(\.nodeRuns), execution: record.id, workflowID: record.workflowID, in: session)
        return record
    }

    /// Commits transitions of one execution in order, in one transaction: all or nothing.
    public func commit(_ transitions: [Transition], execution id: String, workflowID: String) async throws {
        guard !transitions.isEmpty else { return }
        let fence = ClaimFence.worker
        try await transaction { [self] session in
            // The feed's lock first, before any row lock, so commits always take their locks in one order.
            if transitions.contains(where: { $0.event != nil || $0.status != nil }) {
                try await session.run("SELECT \(unescaped: PostgresSchema.feedLock)")
            }
            if let fence {
                let held = try await session.value("SELECT 1 FROM queue WHERE execution_id = \(id) AND claimed_by = \(fence) FOR UPDATE", as: Int.self)
                guard held != nil else { throw ClaimLost(execution: id, worker: fence) }
            }
            // What a flush writes most, a statement per table for the whole flush: its events, its node attempts,
            // its log lines and the execution's own row; then what must keep the transitions' order, one by one.
            try await insertEvents(transitions.compactMap { transition in transition.event.map { (transition.sequence, $0) } },
                                   execution: id, in: session)
            try await upsert(transitions.flatMap(\.nodeRuns), execution: id, workflowID: workflowID, in: session)
            let logs = transitions.flatMap(\.logs)
            if !logs.isEmpty { try await appendLogs(logs, execution: id, in: session) }
            try await updateExecution(ExecutionChange(transitions), execution: id, in: session)
            for transition in transitions { try await applyInOrder(transition, execution: id, in: session) }
        }
    }

    /// Timers, the end's clean-up, a follow-up execution and the queue, as `transition` says, in its place.
    private func applyInOrder(_ transition: Transition, execution id: String, in session: Session) async throws {
        for timer in transition.setTimers {
            try await session.run("""
                INSERT INTO timer (execution_id, node_key, fire_at) VALUES (\(id), \(timer.nodeKey), \(timer.at))
                ON CONFLICT (execution_id, node_key) DO UPDATE SET fire_at = excluded.fire_at
                """)
        }
        for key in transition.clearTimers {
            try await session.run("DELETE FROM timer WHERE execution_id = \(id) AND node_key = \(key)")
        }
        if transition.finishedAt != nil {
            try await session.run("DELETE FROM timer WHERE execution_id = \(id)")
            try await session.run("DELETE FROM queue WHERE execution_id = \(id)")
        }
        if let followUp = transition.followUp {
            let record = ExecutionRecord.queued(workflow: followUp.workflow, triggerNode: followUp.triggerNode, input: followUp.input,
                                                now: transition.finishedAt ?? 0, restartedFrom: nil, restartNode: nil, id: nil, seeded: false,
                                                idempotencyKey: followUp.idempotencyKey)
            _ = try await insertOnce(record, seed: [], in: session)
        }
        if transition.dequeue {
            // A worker's claim stays until the worker releases it, so no one else takes the execution meanwhile.
            try await session.run("DELETE FROM queue WHERE execution_id = \(id) AND claimed_by IS NULL")
        }
    }

    /// Events in one statement when each knows its place (the engine's always do); else one by one, each taking the
    /// next place.
    private func insertEvents(_ events: [(sequence: Int?, event: String)], execution id: String, in session: Session) async throws {
        guard !events.isEmpty else { return }
        let placed = events.compactMap { item in item.sequence.map { ($0, item.event) } }
        guard placed.count == events.count else {
            for item in events {
                try await session.run("""
                    INSERT INTO execution_event (execution_id, sequence, event)
                    VALUES (\(id), COALESCE(\(item.sequence)::bigint,
                            (SELECT COALESCE(MAX(sequence), 0) + 1 FROM execution_event WHERE execution_id = \(id))), \(item.event))
                    """)
            }
            return
        }
        try await session.run("""
            INSERT INTO execution_event (execution_id, sequence, event)
            SELECT \(id), e.sequence, e.event FROM unnest(\(placed.map(\.0))::bigint[], \(placed.map(\.1))::text[]) AS e(sequence, event)
            """)
    }

    /// The execution row's change over a flush, in one statement: the last status, end and error, the first start.
    private func updateExecution(_ change: ExecutionChange, execution id: String, in session: Session) async throws {
        guard change.status != nil || change.startedAt != nil || change.finishedAt != nil || change.error != nil else { return }
        try await session.run("""
            UPDATE execution SET status = COALESCE(\(change.status?.rawValue), status),
                started_at = COALESCE(started_at, \(change.startedAt)),
                finished_at = COALESCE(\(change.finishedAt), finished_at),
                error_kind = CASE WHEN \(change.error != nil) THEN \(change.error?.kind.rawValue) ELSE error_kind END,
                error_message = CASE WHEN \(change.error != nil) THEN \(change.error?.message) ELSE error_message END,
                error_node = CASE WHEN \(change.error != nil) THEN \(change.error?.node) ELSE error_node END
            WHERE id = \(id)
            """)
    }

    /// Inserts node attempts, or updates them in place by (execution, node key, attempt), in one statement: what an
    /// update leaves out (nil) keeps its stored value. Several changes of one attempt in a flush are merged first the
    /// same way (a statement may not change a row twice).
    private func upsert(_ runs: [NodeRunRecord], execution: String, workflowID: String, in session: Session) async throws {
        guard !runs.isEmpty else { return }
        let rows = NodeRunRow.merged(runs.map { NodeRunRow($0, limits: limits) })
        try await session.run("""
            INSERT INTO node_run AS n (execution_id, workflow_id, node_key, node_id, node_type, attempt, status, input, output,
                truncated, error_kind, error_message, error_details, log_tail, started_at, finished_at, duration_ms)
            SELECT \(execution), \(workflowID), r.node_key, r.node_id, r.node_type, r.attempt, r.status, r.input, r.output,
                r.truncated, r.error_kind, r.error_message, r.error_details, r.log_tail, r.started_at, r.finished_at, r.duration_ms
            FROM json_to_recordset(\(JSONValue.array(rows.map(\.jsonValue)).jsonText)::json) AS r(node_key text, node_id text,
                node_type text, attempt bigint, status text, input text, output text, truncated boolean, error_kind text,
                error_message text, error_details text, log_tail text, started_at double precision, finished_at double precision,
                duration_ms double precision)
            ON CONFLICT (execution_id, node_key, attempt) DO UPDATE SET
                status = excluded.status,
                input = COALESCE(excluded.input, n.input),
                output = COALESCE(excluded.output, n.output),
                truncated = n.truncated OR excluded.truncated,
                error_kind = COALESCE(excluded.error_kind, n.error_kind),
                error_message = COALESCE(excluded.error_message, n.error_message),
                error_details = COALESCE(excluded.error_details, n.error_details),
                log_tail = COALESCE(excluded.log_tail, n.log_tail),
                started_at = COALESCE(n.started_at, excluded.started_at),
                finished_at = COALESCE(excluded.finished_at, n.finished_at),
                duration_ms = COALESCE(excluded.duration_ms, n.duration_ms)
            """)
    }

    private func appendLogs(_ logs: [LogRecord], execution: String, in session: Session) async throws {
        let stored = try await session.value("SELECT COUNT(*) FROM execution_log WHERE execution_id = \(execution)", as: Int.self) ?? 0
        let kept = limits.keptLogs(logs, stored: stored)
        guard !kept.isEmpty else { return }
        let rows: [JSONValue] = kept.map { log in
            ["node_key": log.nodeKey.map(JSONValue.string) ?? .null, "at": .double(log.at), "level": .string(log.level), "message": .string(log.message)]
        }
        try await session.run("""
            INSERT INTO execution_log (execution_id, node_key, at, level, message)
            SELECT \(execution), l.node_key, l.at, l.level, l.message
            FROM json_to_recordset(\(JSONValue.array(rows).jsonText)::json) AS l(node_key text, at double precision, level text, message text)
            """)
    }
}
