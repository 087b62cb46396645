import WindFlowCore

/// Executions and everything recorded about them: events (the state machine's input, in order), node runs, logs,
/// durable timers, cancel requests, and the feed of all runs' events. Every transition is committed, all or
/// nothing, before the call returns: a crash after it loses nothing, a crash during it leaves no half of it.
public protocol ExecutionStore: Sendable {
    /// Inserts a queued execution (with the first events of a restart, `seed`, in the same transaction).
    func enqueueExecution(
        workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double, restartedFrom: String?,
        restartNode: String?, id: String?, seed: [Transition]
    ) throws -> ExecutionRecord
    /// The same for request handlers and triggers: it suspends instead of holding a thread while the store is busy.
    func enqueueExecution(workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double) async throws -> ExecutionRecord
    /// Commits transitions of one execution in order, in one transaction.
    func commit(_ transitions: [Transition], execution id: String, workflowID: String) throws
    /// The same, suspending instead of holding a thread (and free to share a transaction with other executions').
    func commit(_ transitions: [Transition], execution id: String, workflowID: String) async throws

    func execution(_ id: String) throws -> ExecutionRecord?
    /// The execution whose id is `prefix` or starts with it, when exactly one does.
    func execution(matching prefix: String) throws -> ExecutionRecord?
    /// What resuming needs in one read: the record, its events, the node runs' attempts.
    func runSnapshot(_ id: String) throws -> RunSnapshot?
    /// Newest first; `before` is the id of the last execution of the previous page.
    func executions(workflow: String?, status: ExecutionStatus?, limit: Int, before: String?) throws -> [ExecutionRecord]
    /// Queued, running or waiting: what a start resumes.
    func unfinishedExecutions() throws -> [ExecutionRecord]
    func hasUnfinishedExecution(workflow: String) throws -> Bool
    /// Executions queued as follow-ups of `id` (its error workflow), in the transaction that failed it.
    func queuedFollowUps(of id: String) throws -> [String]

    /// The events as JSON text, in order.
    func events(of id: String) throws -> [String]
    func events(of id: String, after sequence: Int) throws -> [(sequence: Int, event: String)]
    func eventCount(of id: String) throws -> Int
    func nodeRuns(of id: String) throws -> [NodeRunRecord]
    /// The node attempts running now, by node key.
    func runningAttempts(of id: String) throws -> [String: Int]
    func logs(of id: String, after: Int64) throws -> [LogRecord]
    func logs(of id: String, node: String, at: Double) throws -> [LogRecord]
    /// Events of every run after `position`, in commit order (the live stream of all runs).
    func feed(after position: Int, workflow: String?, limit: Int) throws -> [FeedEntry]
    func feedPosition() throws -> Int

    /// Timers due at `now` (waits, retry delays), oldest first.
    func dueTimers(now: Double, limit: Int) throws -> [(execution: String, nodeKey: String, at: Double)]
    func nextTimer() throws -> Double?
    func clearTimers(of id: String, except keep: Set<String>) throws
    func requestCancel(_ id: String) throws
    func isCancelRequested(_ id: String) throws -> Bool
    /// Deletes finished executions older than `keepDays` or beyond the newest `keepExecutions`; returns how many.
    func sweep(keepDays: Double?, keepExecutions: Int?, now: Double) throws -> Int
}

extension ExecutionStore {
    /// A new queued execution of `workflow` from `triggerNode`.
    public func enqueueExecution(workflow: WorkflowRecord, triggerNode: String, input: JSONValue, now: Double) throws -> ExecutionRecord {
        try enqueueExecution(workflow: workflow, triggerNode: triggerNode, input: input, now: now, restartedFrom: nil, restartNode: nil,
                             id: nil, seed: [])
    }

    public func commit(_ transition: Transition, execution id: String, workflowID: String) throws {
        try commit([transition], execution: id, workflowID: workflowID)
    }

    public func executions(workflow: String? = nil, status: ExecutionStatus? = nil, limit: Int = 50) throws -> [ExecutionRecord] {
        try executions(workflow: workflow, status: status, limit: limit, before: nil)
    }

    public func logs(of id: String) throws -> [LogRecord] { try logs(of: id, after: 0) }
    public func feed(after position: Int) throws -> [FeedEntry] { try feed(after: position, workflow: nil, limit: 500) }
    public func dueTimers(now: Double) throws -> [(execution: String, nodeKey: String, at: Double)] { try dueTimers(now: now, limit: 1000) }
}
