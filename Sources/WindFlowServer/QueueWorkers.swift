import Foundation
import WindFlowEngine
import WindFlowStore

/// Takes executions from the durable queue and runs them, `workers` at a time; wakes parked executions whose timers
/// are due by putting them back in the queue.
struct QueueWorkers {
    let engine: WorkflowEngine
    let configuration: ServerConfiguration
    let signal: WakeSignal
    let events: EventDispatcher
    /// Set at shutdown: workers finish the execution in hand and take no more.
    let draining = DrainFlag()

    func run() async {
        try? engine.store.releaseAllClaims()
        // Executions a previous process left running or queued resume.
        for record in (try? engine.store.unfinishedExecutions()) ?? [] {
            try? engine.store.requeue(record.id, now: Date().timeIntervalSince1970)
        }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<configuration.workers {
                group.addTask { await worker("worker-\(index)") }
            }
            group.addTask { await timers() }
            await group.waitForAll()
        }
    }

    /// Stops taking executions; running ones go on (the service cancels them after its grace period).
    func drain() {
        draining.set()
        signal.wake()
    }

    private func worker(_ name: String) async {
        while !Task.isCancelled && !draining.isSet {
            guard let id = try? await engine.store.claimNext(worker: name, now: Date().timeIntervalSince1970) else {
                await signal.wait(upTo: 0.25)
                continue
            }
            let result = try? await engine.runner.run(id)
            if case .finished(.failed, _)? = result { signal.wake() }  // its error workflow, queued with the failure
            if case .finished? = result {
                // The transition that finished it also took it off the queue.
                events.executionEnded(id)
            } else {
                try? await engine.store.release(id)
            }
        }
    }

    private func timers() async {
        let scheduler = Scheduler(engine: engine, wake: { signal.wake() })
        let files = FileWatcher(engine: engine, wake: { signal.wake() })
        while !Task.isCancelled && !draining.isSet {
            _ = try? scheduler.tick()
            _ = try? files.tick()
            let now = Date().timeIntervalSince1970
            for timer in (try? engine.store.dueTimers(now: now)) ?? [] {
                try? engine.store.enqueueIfAbsent(timer.execution, now: now)
                signal.wake()
            }
            try? await Task.sleep(nanoseconds: UInt64(configuration.timerInterval * 1e9))
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

/// Wakes idle workers when work arrives, so a webhook does not wait for the next poll.
final class WakeSignal: @unchecked Sendable {
    // Safe: `waiters` is only touched while holding `lock`.
    private let lock = NSLock()
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wake() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            defer { waiters.removeAll() }
            return waiters
        }
        woken.forEach { $0.resume() }
    }

    /// Returns on the next ``wake()`` or after `seconds`.
    func wait(upTo seconds: Double) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await withCheckedContinuation { continuation in self.lock.withLock { self.waiters.append(continuation) } } }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
            await group.next()
            group.cancelAll()
            self.wake()  // release the continuation if the timer won
        }
    }
}
