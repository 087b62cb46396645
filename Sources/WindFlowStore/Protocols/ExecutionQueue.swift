/// The durable queue of executions waiting for a worker. A claim is exclusive: however many workers (in however
/// many processes) ask at once, each queued execution goes to one of them, until it is released or finished, or
/// every claim is released at a start. (Claims do not expire: with one process per store that is enough; several
/// processes on one store need claims that outlive a dead claimer only for so long.)
public protocol ExecutionQueue: Sendable {
    /// Takes the oldest available execution for `worker`, or nil when there is none.
    func claimNext(worker: String, now: Double) async throws -> String?
    /// Takes a claimed execution off the queue (it parked on a timer, or its worker stopped): it is queued again by
    /// what wakes it — a due timer, a cancel, a resume at the next start.
    func release(_ id: String) async throws
    /// Puts an execution back in the queue, available at `now`.
    func requeue(_ id: String, now: Double) async throws
    /// Queues `id` unless it already is (a due timer, a cancel of a parked run).
    func enqueueIfAbsent(_ id: String, now: Double) async throws
    /// Releases every claim (at start: the claimers of a previous process are gone).
    func releaseAllClaims() async throws
    /// Executions waiting in the queue, unclaimed.
    func queueDepth() async throws -> Int
}
