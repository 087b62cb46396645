/// The durable queue of executions waiting for a worker. A claim is exclusive: however many workers (in however
/// many processes) ask at once, each queued execution goes to one of them, until it is released, finished, or its
/// claimer's process is gone.
public protocol ExecutionQueue: Sendable {
    /// Takes the oldest available execution for `worker`, or nil when there is none.
    func claimNext(worker: String, now: Double) async throws -> String?
    /// Gives a claimed execution back (it parked, or its worker stopped); it stays available.
    func release(_ id: String) async throws
    /// Puts an execution back in the queue, available at `now`.
    func requeue(_ id: String, now: Double) async throws
    /// Queues `id` unless it already is (a due timer, a cancel of a parked run).
    func enqueueIfAbsent(_ id: String, now: Double) async throws
    /// Releases every claim (at start: the claimers of a previous process are gone).
    func releaseAllClaims() async throws
    /// Executions waiting in the queue.
    func queueDepth() async throws -> Int
}
