import Foundation
import Testing
@testable import WindFlowEngine

@Suite struct WakeSignalTests {
    /// Work that arrives while no worker waits (between its look at the queue and its wait) is not left to the poll.
    @Test func aRingNoOneHeardIsKeptForTheNextWaiter() async {
        let signal = WakeSignal()
        signal.wake()
        let clock = ContinuousClock()
        let waited = await clock.measure { await signal.wait(upTo: 30) }
        #expect(waited < .seconds(20), "returned at once, not after 30 s")
    }

    /// A wait whose time runs out leaves the others waiting for their ring.
    @Test func aWaitThatTimesOutWakesNoOneElse() async {
        let signal = WakeSignal()
        let woken = Flag()
        let long = Task {
            await signal.wait(upTo: 30)
            woken.set()
        }
        try? await Task.sleep(for: .milliseconds(100))
        await signal.wait(upTo: 0.05)
        try? await Task.sleep(for: .milliseconds(200))
        #expect(!woken.isSet, "the other waiter is still waiting")
        signal.wake()
        await long.value
        #expect(woken.isSet)
    }
}

final class Flag: @unchecked Sendable {
    // Safe: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
