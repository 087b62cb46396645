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
        try await session.run("INSERT INTO queue (execution_id, available_at) VALUES (\(record.id), \(record.createdAt))")
        try await session.run("SELECT pg_notify(\(queueChannel), '')")  // delivered at commit, to every process listening
        // A restart's first events go in with it: a crash cannot leave it half seeded.
        for (index, transition) in seed.enumerated() {
            if let event = transition.event {
                try await session.run("INSERT INTO execution_event (execution_id, sequence, event) VALUES (\(record.id), \(index + 1), \(event))")
            }
            for run in transition.nodeRuns { try await upsert(run, execution: record.id, workflowID: record.workflowID, in: session) }
        }
        return record
    }

    /// Commits transitions of one execution in order, in one transaction: all or nothing.
    public func commit(_ transitions: [Transition], execution id: String, workflowID: String) async throws {
        guard !transitions.isEmpty else { return }
        try await transaction { [self] session in
            // The feed's lock first, before any row lock, so commits always take their locks in one order.
            if transitions.contains(where: { $0.event != nil || $0.status != nil }) {
                try await session.run("SELECT \(unescaped: PostgresSchema.feedLock)")
            }
            for transition in transitions { try await apply(transition, execution: id, workflowID: workflowID, in: session) }
        }
    }

    private func apply(_ transition: Transition, execution id: String, workflowID: String, in session: Session) async throws {
        if let event = transition.event {
            try await session.run("""
                INSERT INTO execution_event (execution_id, sequence, event)
                VALUES (\(id), COALESCE(\(transition.sequence)::bigint,
                        (SELECT COALESCE(MAX(sequence), 0) + 1 FROM execution_event WHERE execution_id = \(id))), \(event))
                """)
        }
        for run in transition.nodeRuns { try await upsert(run, execution: id, workflowID: workflowID, in: session) }
        for timer in transition.setTimers {
            try await session.run("""
                INSERT INTO timer (execution_id, node_key, fire_at) VALUES (\(id), \(timer.nodeKey), \(timer.at))
                ON CONFLICT (execution_id, node_key) DO UPDATE SET fire_at = excluded.fire_at
                """)
        }
        for key in transition.clearTimers {
            try await session.run("DELETE FROM timer WHERE execution_id = \(id) AND node_key = \(key)")
        }
        if !transition.logs.isEmpty { try await appendLogs(transition.logs, execution: id, in: session) }
        if let status = transition.status {
            try await session.run("UPDATE execution SET status = \(status.rawValue) WHERE id = \(id)")
        }
        if let startedAt = transition.startedAt {
            try await session.run("UPDATE execution SET started_at = COALESCE(started_at, \(startedAt)) WHERE id = \(id)")
        }
        if let finishedAt = transition.finishedAt {
            try await session.run("UPDATE execution SET finished_at = \(finishedAt) WHERE id = \(id)")
            try await session.run("DELETE FROM timer WHERE execution_id = \(id)")
            try await session.run("DELETE FROM queue WHERE execution_id = \(id)")
        }
        if let error = transition.error {
            try await session.run("""
                UPDATE execution SET error_kind = \(error.kind.rawValue), error_message = \(error.message), error_node = \(error.node) WHERE id = \(id)
                """)
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

    /// Inserts a node attempt, or updates it in place by (execution, node key, attempt): what an update leaves out
    /// (nil) keeps its stored value.
    private func upsert(_ run: NodeRunRecord, execution: String, workflowID: String, in session: Session) async throws {
        let (input, inputCut) = limits.capped(run.input)
        let (output, outputCut) = limits.capped(run.output)
        let details = run.errorDetails.flatMap { $0.isEmpty ? nil : $0.jsonValue.jsonText }
        try await session.run("""
            INSERT INTO node_run AS n (execution_id, workflow_id, node_key, node_id, node_type, attempt, status, input, output,
                truncated, error_kind, error_message, error_details, log_tail, started_at, finished_at, duration_ms)
            VALUES (\(execution), \(workflowID), \(run.nodeKey), \(run.nodeID), \(run.nodeType), \(run.attempt), \(run.status.rawValue),
                \(input), \(output), \(run.truncated || inputCut || outputCut), \(run.errorKind?.rawValue), \(run.errorMessage), \(details),
                \(limits.keptTail(run.logTail)), \(run.startedAt), \(run.finishedAt), \(run.durationMS))
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
        for log in limits.keptLogs(logs, stored: stored) {
            try await session.run("""
                INSERT INTO execution_log (execution_id, node_key, at, level, message)
                VALUES (\(execution), \(log.nodeKey), \(log.at), \(log.level), \(log.message))
                """)
        }
    }
}
