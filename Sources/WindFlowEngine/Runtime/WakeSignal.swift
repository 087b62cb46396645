import Foundation

/// The queue's bell: rung when work arrives (an execution started, a timer came due, a failure queued its error
/// workflow), so an idle worker takes it at once instead of at its next poll. A ring with no one waiting is kept for
/// the next waiter, so work that arrives between a worker's look at the queue and its wait is not left to the poll.
public final class WakeSignal: @unchecked Sendable {
    // Safe: every stored property is only touched while holding `lock`.
    private let lock = NSLock()
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Waits whose continuation is not registered yet, and those of them that already ended (their time ran out).
    private var unregistered: Set<UInt64> = []
    private var ended: Set<UInt64> = []
    private var lastWait: UInt64 = 0
    private var rungWhileNoOneWaited = false

    public init() {}

    /// Wakes every waiter; with none, the next ``wait(upTo:)`` returns at once.
    public func wake() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            guard !waiters.isEmpty else {
                rungWhileNoOneWaited = true
                return []
            }
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        woken.forEach { $0.resume() }
    }

    /// Returns on the next ``wake()`` (or at once for a ring no one heard) or after `seconds`.
    public func wait(upTo seconds: Double) async {
        let id = lock.withLock { () -> UInt64? in
            if rungWhileNoOneWaited {
                rungWhileNoOneWaited = false
                return nil
            }
            lastWait += 1
            unregistered.insert(lastWait)
            return lastWait
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.lock.withLock { () -> Bool in
                        self.unregistered.remove(id)
                        if self.ended.remove(id) != nil { return true }
                        if self.rungWhileNoOneWaited {
                            self.rungWhileNoOneWaited = false
                            return true
                        }
                        self.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
            await group.next()
            group.cancelAll()
            self.end(id)
        }
    }

    /// Releases this wait's continuation if the timer won (only its own: other waiters keep waiting).
    private func end(_ id: UInt64) {
        let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if let continuation = waiters.removeValue(forKey: id) { return continuation }
            // Not registered yet: it must not wait when it is. (Already woken: nothing is left of it.)
            if unregistered.remove(id) != nil { ended.insert(id) }
            return nil
        }
        continuation?.resume()
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
