import Foundation
import PostgresNIO
import WindFlowStore

/// A deadline on getting a connection from the pool. PostgresNIO's pool keeps a request waiting while it retries a
/// database that is gone; without a deadline every store call — a webhook being stored, a worker polling the queue,
/// /readyz — would hang for as long as the database is away. With it, the call fails after `seconds` with a
/// ``StoreError`` that says so, and the caller answers 503, backs off, or retries. Only the wait for a connection
/// is bounded: once a connection is held, the work (a commit) is never cut short.
extension PostgresStore {
    static let connectionWait: Double = 5

    func withConnection<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let held = HeldFlag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { [client] in
                try await client.withConnection { connection in
                    held.set()
                    return try await work(connection)
                }
            }
            group.addTask { [location] in
                try await Task.sleep(nanoseconds: UInt64(Self.connectionWait * 1e9))
                if held.isSet { return nil }
                throw StoreError("the PostgreSQL database at \(location) does not answer: no connection within \(Int(Self.connectionWait)) s "
                                 + "(is the server running and reachable?); the call can be tried again")
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }
}

/// Set once a connection is held, read by the deadline.
final class HeldFlag: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
