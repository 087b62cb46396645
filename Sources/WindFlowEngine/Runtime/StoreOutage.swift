import Foundation

/// Whether the store is failing, shared by the queue workers of one process, so that a lost database is logged once
/// when it goes and once when it comes back, not by every worker at every poll.
final class StoreOutage: @unchecked Sendable {
    // Safe: `failing` and `since` are guarded by `lock`.
    private let lock = NSLock()
    private var failing = false

    /// Records a failure; true for the first since the store last answered (the one to log).
    func failed() -> Bool {
        lock.withLock {
            defer { failing = true }
            return !failing
        }
    }

    /// Records an answer; true when the store was failing until now (the recovery to log).
    func answered() -> Bool {
        lock.withLock {
            defer { failing = false }
            return failing
        }
    }

    /// Seconds a worker waits before asking again after `failures` failures in a row: 0.25 s doubling, at most 5 s.
    static func backoff(after failures: Int) -> Double {
        min(5, 0.25 * pow(2, Double(min(failures, 10))))
    }
}
