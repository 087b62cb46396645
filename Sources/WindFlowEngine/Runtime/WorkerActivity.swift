import Foundation
import WindFlowStore

/// What this process's queue workers are doing, for `/metrics` on each node of a cluster: the store's figures are
/// the same from every process; these are this one's, labelled with its worker name.
public final class WorkerActivity: @unchecked Sendable {
    // Safe: the counters are only touched while holding `lock`.
    private let lock = NSLock()
    /// The prefix of this process's worker names in the store (`<instance>/worker-N`), its label in `/metrics`.
    public let instance = "q-" + StoreIDs.make()
    public let workers: Int
    private var running = 0
    private var taken = 0

    public init(workers: Int) {
        self.workers = workers
    }

    func began() { lock.withLock { running += 1; taken += 1 } }
    func ended() { lock.withLock { running -= 1 } }

    /// Executions running in this process now, and taken from the queue since it started.
    public var figures: (running: Int, taken: Int) { lock.withLock { (running, taken) } }
}
