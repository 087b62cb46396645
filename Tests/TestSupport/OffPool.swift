import Foundation

/// Runs blocking work on a new thread and waits for it without holding a thread of the concurrency pool.
///
/// Every test of a process shares that pool, as wide as the machine has cores (two in CI): a test that blocks one
/// of its threads for seconds (a server starting, a process waited for) stalls the servers and engines the tests
/// beside it run in-process, and their timeouts fire.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
