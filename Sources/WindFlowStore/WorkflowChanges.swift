import Foundation
import GRDB
import WindFlowCore

/// Forgets the remembered active-workflows generation (``GenerationCache``) at each of this process's commits that
/// touch the `workflow` table (a transaction observer).
final class WorkflowChanges: TransactionObserver, @unchecked Sendable {
    /// The generation this process last read, forgotten at its own commits to `workflow`.
    let cache = GenerationCache()
    // Safe: `changed` is only touched while holding `lock`.
    private let lock = NSLock()
    private var changed = false

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "workflow" }

    func databaseDidChange(with event: DatabaseEvent) {
        lock.withLock { changed = true }
    }

    func databaseDidCommit(_ db: Database) {
        let forget = lock.withLock {
            defer { changed = false }
            return changed
        }
        if forget { cache.forget() }
    }

    func databaseDidRollback(_ db: Database) {
        lock.withLock { changed = false }
    }
}
