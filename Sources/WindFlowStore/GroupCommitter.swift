import Foundation
import GRDB

/// Writes of many callers in one transaction. While the writer is busy, requests queue up; the next transaction
/// applies them all, each in its own savepoint (one failing does not undo the others), and every caller resumes
/// once its work is committed. Durability is unchanged; the number of transactions falls with the load.
final class GroupCommitter: @unchecked Sendable {
    private struct Item {
        let run: @Sendable (Database) throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    // Safe: `pending` and `writing` are only touched while holding `lock`.
    private let lock = NSLock()
    private var pending: [Item] = []
    private var writing = false
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in a write transaction shared with other callers, and returns its result once committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        return try await withCheckedThrowingContinuation { continuation in
            let item = Item(run: { db in box.value = try work(db) }, finish: { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: box.value!) }
            })
            let start = lock.withLock { () -> Bool in
                pending.append(item)
                guard !writing else { return false }
                writing = true
                return true
            }
            if start { drain() }
        }
    }

    private func drain() {
        let batch = lock.withLock { () -> [Item] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        pool.asyncWriteWithoutTransaction { db in
            var errors = [(any Error)?](repeating: nil, count: batch.count)
            do {
                try db.inTransaction {
                    for (index, item) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try item.run(db)
                                return .commit
                            }
                        } catch {
                            errors[index] = error
                        }
                    }
                    return .commit
                }
            } catch {
                // The commit itself failed: nothing of the batch is stored.
                errors = batch.map { _ in error }
            }
            for (item, error) in zip(batch, errors) { item.finish(error) }
            let more = self.lock.withLock { () -> Bool in
                if self.pending.isEmpty { self.writing = false }
                return self.writing
            }
            if more { self.drain() }
        }
    }
}

/// A result handed from the writer's queue to the caller it belongs to.
private final class ResultBox<T>: @unchecked Sendable {
    // Safe: written by the writer's queue before the caller is resumed, read by the caller after.
    var value: T?
}
