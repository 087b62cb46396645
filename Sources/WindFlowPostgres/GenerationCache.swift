import Foundation
import WindFlowCore

/// Remembers the active-workflows generation between reads: this process's own changes to workflows forget it at
/// once, and another process's changes are seen within `maxAge` (as the SQLite store's `WorkflowChanges`).
final class GenerationCache: @unchecked Sendable {
    // Safe: every field is only touched while holding `lock`.
    private let lock = NSLock()
    private var generation: String?
    private var readAt: Stopwatch?
    /// Counts this process's changes: a value read while one was being made is not kept.
    private var changes = 0
    let maxAge: TimeInterval = 0.25

    /// The generation if known, else the change count to hand back to ``remember(_:since:)``.
    func cached() -> (value: String?, changes: Int) {
        lock.withLock { ((readAt?.seconds ?? .infinity) < maxAge ? generation : nil, changes) }
    }

    func remember(_ value: String, since: Int) {
        lock.withLock {
            guard changes == since else { return }
            generation = value
            readAt = Stopwatch()
        }
    }

    /// Called after this process changed workflows.
    func forget() {
        lock.withLock {
            generation = nil
            changes += 1
        }
    }
}
