import Foundation

/// The queue's bell: rung when work arrives (an execution started, a timer came due, a failure queued its error
/// workflow), so an idle worker takes it at once instead of at its next poll.
public final class WakeSignal: @unchecked Sendable {
    // Safe: `waiters` is only touched while holding `lock`.
    private let lock = NSLock()
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func wake() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            defer { waiters.removeAll() }
            return waiters
        }
        woken.forEach { $0.resume() }
    }

    /// Returns on the next ``wake()`` or after `seconds`.
    public func wait(upTo seconds: Double) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await withCheckedContinuation { continuation in self.lock.withLock { self.waiters.append(continuation) } } }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
            await group.next()
            group.cancelAll()
            self.wake()  // release the continuation if the timer won
        }
    }
}

/// A one-way switch read from many tasks.
final class DrainFlag: @unchecked Sendable {
    // Safe: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
