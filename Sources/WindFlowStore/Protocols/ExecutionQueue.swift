/// The durable queue of executions waiting for a worker. A claim is exclusive: however many workers (in however
/// many processes) ask at once, each queued execution goes to one of them. A claim is held under a lease that its
/// worker renews (a heartbeat); a claim whose lease has ended (its worker, or its whole process, died) can be taken
/// by another worker, which then resumes the execution from its stored events.
public protocol ExecutionQueue: Sendable {
    /// Takes the oldest available execution for `worker`, holding it until `leaseUntil`, or nil when there is none.
    /// Available: queued at or before `now`, and unclaimed or claimed under a lease that ended before `now`.
    func claimNext(worker: String, now: Double, leaseUntil: Double) async throws -> String?
    /// Extends every claim `worker` holds to `until` (its heartbeat); returns how many it holds.
    func renewClaims(worker: String, until: Double) async throws -> Int
    /// Takes a claimed execution off the queue (it parked on a timer, or its worker stopped): it is queued again by
    /// what wakes it — a due timer, a cancel, a resume at the next start.
    func release(_ id: String) async throws
    /// Puts an execution back in the queue, available at `now`, unclaimed.
    func requeue(_ id: String, now: Double) async throws
    /// Queues `id` unless it already is, claimed or not (a due timer, a cancel of a parked run, a start's recovery).
    func enqueueIfAbsent(_ id: String, now: Double) async throws
    /// At a start, frees the claims a previous process left: on a store several processes share, those whose lease
    /// ended before `now` (live claims of the others are kept); on a store one process owns (an SQLite file), all.
    func releaseClaimsAtStart(now: Double) async throws
    /// Executions waiting in the queue, unclaimed.
    func queueDepth() async throws -> Int
}

/// The worker an execution runs under, for the store calls made while it runs (``ExecutionStore/commit(_:execution:workflowID:)``,
/// ``ExecutionQueue/release(_:)``). Set by the queue workers around each run. Under a fence, a commit of an execution
/// whose claim that worker no longer holds — its lease ran out while it was cut off from the store, and another
/// worker took it — is refused with ``ClaimLost``, all of it: the stale worker stops at its next commit, before it
/// starts another attempt, and the release it would make leaves the other worker's claim alone.
public enum ClaimFence {
    @TaskLocal public static var worker: String?
}

/// A commit refused because the execution's claim passed to another worker (see ``ClaimFence``).
public struct ClaimLost: Error, Sendable, CustomStringConvertible {
    public let execution: String
    public let worker: String

    public init(execution: String, worker: String) {
        self.execution = execution
        self.worker = worker
    }

    public var description: String {
        "\(worker) no longer holds the claim of \(execution): its lease ran out and another worker took it"
    }
}
