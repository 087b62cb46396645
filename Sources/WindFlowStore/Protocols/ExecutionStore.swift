import WindFlowCore

/// Executions and everything recorded about them: events (the state machine's input, in order), node runs, logs,
/// durable timers, cancel requests, and the feed of all runs' events. Every transition is committed, all or
/// nothing, before the call returns: a crash after it loses nothing, a crash during it leaves no half of it.
public protocol ExecutionStore: Sendable {
    /// Inserts a queued execution (with the first events of a restart, `seed`, in the same transaction); `id` is
    /// the new execution's id when the caller has one, else the store makes one. With an `idempotencyKey` that an
    /// execution of the same workflow already has, nothing is inserted and that execution is returned: however
    /// many processes start it at once, one execution exists per workflow and key.
    func enqueueExecution(
        workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
        restartNode: String?, id: String?, seed: [Transition], idempotencyKey: String?
    ) async throws -> ExecutionRecord
    /// The execution of workflow `id` started with `key`, if there is one.
    func execution(workflow id: String, idempotencyKey key: String) async throws -> ExecutionRecord?
    /// Commits transitions of one execution in order, in one transaction (which may be shared with other
    /// executions' commits: group commit).
    func commit(_ transitions: [Transition], execution id: String, workflowID: String) async throws

    func execution(_ id: String) async throws -> ExecutionRecord?
    /// The execution whose id is `prefix` or starts with it, when exactly one does.
    func execution(matching prefix: String) async throws -> ExecutionRecord?
    /// What resuming needs in one read: the record, its events, the node runs' attempts.
    func runSnapshot(_ id: String) async throws -> RunSnapshot?
    /// Newest first; `before` is the id of the last execution of the previous page.
    func executions(workflow: String?, status: ExecutionStatus?, limit: Int, before: String?) async throws -> [ExecutionRecord]
    /// Queued, running or waiting: what a start resumes.
    func unfinishedExecutions() async throws -> [ExecutionRecord]
    func hasUnfinishedExecution(workflow: String) async throws -> Bool
    /// Executions queued as follow-ups of `id` (its error workflow), in the transaction that failed it.
    func queuedFollowUps(of id: String) async throws -> [String]

    /// The events as JSON text, in order.
    func events(of id: String) async throws -> [String]
    func events(of id: String, after sequence: Int) async throws -> [(sequence: Int, event: String)]
    func eventCount(of id: String) async throws -> Int
    func nodeRuns(of id: String) async throws -> [NodeRunRecord]
    /// The node attempts running now, by node key.
    func runningAttempts(of id: String) async throws -> [String: Int]
    func logs(of id: String, after: Int64) async throws -> [LogRecord]
    func logs(of id: String, node: String, at: Double) async throws -> [LogRecord]
    /// Events of every run after `position`, in commit order (the live stream of all runs).
    func feed(after position: Int, workflow: String?, limit: Int) async throws -> [FeedEntry]
    func feedPosition() async throws -> Int

    /// Timers due at `now` (waits, retry delays), oldest first.
    func dueTimers(now: Double, limit: Int) async throws -> [(execution: String, nodeKey: String, at: Double)]
    func nextTimer() async throws -> Double?
    func clearTimers(of id: String, except keep: Set<String>) async throws
    func requestCancel(_ id: String) async throws
    func isCancelRequested(_ id: String) async throws -> Bool
    /// Deletes finished executions older than `keepDays` or beyond the newest `keepExecutions`; returns how many.
    func sweep(keepDays: Double?, keepExecutions: Int?, now: Double) async throws -> Int
}
