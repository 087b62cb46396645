import Foundation
import GRDB
import WindFlowCore

/// Remembers the active-workflows generation between reads: this process's own commits that touch the `workflow`
/// table forget it at once (a transaction observer), and another process's changes are seen within `maxAge`.
final class WorkflowChanges: TransactionObserver, @unchecked Sendable {
    // Safe: `generation`, `readAt` and `changed` are only touched while holding `lock`.
    private let lock = NSLock()
    private var generation: String?
    /// Since the generation was read; nil before the first read.
    private var readAt: Stopwatch?
    private var changed = false
    /// Counts this process's commits to `workflow`: a value read while one committed is not kept.
    private var commits = 0
    let maxAge: TimeInterval = 0.25

    /// The generation if known, else the commit count to hand back to ``remember(_:since:)``.
    func cached() -> (value: String?, commits: Int) {
        lock.withLock { ((readAt?.seconds ?? .infinity) < maxAge ? generation : nil, commits) }
    }

    func remember(_ value: String, since: Int) {
        lock.withLock {
            guard commits == since else { return }
            generation = value
            readAt = Stopwatch()
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "workflow" }

    func databaseDidChange(with event: DatabaseEvent) {
        lock.withLock { changed = true }
    }

    func databaseDidCommit(_ db: Database) {
        lock.withLock {
            if changed {
                generation = nil
                commits += 1
            }
            changed = false
        }
    }

    func databaseDidRollback(_ db: Database) {
        lock.withLock { changed = false }
    }
}
