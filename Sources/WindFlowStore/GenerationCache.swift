import Foundation
import WindFlowCore

/// Remembers the active-workflows generation between reads: this process's own changes to workflows forget it at
/// once, and another process's changes are seen within `maxAge`. Both stores keep one (SQLite's through
/// ``WorkflowChanges``, which forgets on its commits).
public final class GenerationCache: @unchecked Sendable {
    // Safe: every field is only touched while holding `lock`.
    private let lock = NSLock()
    private var generation: String?
    private var readAt: Stopwatch?
    /// Counts this process's changes: a value read while one was being made is not kept.
    private var changes = 0
    public let maxAge: TimeInterval = 0.25

    public init() {}

    /// The generation if known, else the change count to hand back to ``remember(_:since:)``.
    public func cached() -> (value: String?, changes: Int) {
        lock.withLock { ((readAt?.seconds ?? .infinity) < maxAge ? generation : nil, changes) }
    }

    public func remember(_ value: String, since: Int) {
        lock.withLock {
            guard changes == since else { return }
            generation = value
            readAt = Stopwatch()
        }
    }

    /// Called after this process changed workflows.
    public func forget() {
        lock.withLock {
            generation = nil
            changes += 1
        }
    }
}
