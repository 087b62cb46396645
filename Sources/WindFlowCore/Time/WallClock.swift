import Foundation

/// Where WindFlow reads the time of day, injected everywhere it is needed (the engine, the runtime, the service,
/// the designer) so one process runs on one clock and tests set it by hand. Durations (latencies, deadlines) are
/// measured with ``Stopwatch`` instead, on the monotonic clock.
public protocol WallClock: Sendable {
    /// Seconds since 1970.
    func now() -> Double
    /// Returns at `deadline` (seconds since 1970) or throws when the task is cancelled.
    func sleep(until deadline: Double) async throws
}

/// The system's wall clock: the one place the time of day is read.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }

    public func sleep(until deadline: Double) async throws {
        let seconds = deadline - now()
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(min(seconds, 1e9) * 1e9)) }
        try Task.checkCancellation()
    }
}

/// A clock that moves only when told to: tests (and dry runs) set it, advance it, or let every sleep jump straight
/// to its deadline.
public final class ManualClock: WallClock, @unchecked Sendable {
    // Safe: `current` is only touched while holding `lock`.
    private let lock = NSLock()
    private var current: Double
    private let jumpsToDeadlines: Bool

    /// - Parameter jumpsToDeadlines: When true, ``sleep(until:)`` moves the clock to the deadline and returns at
    ///   once (a run's waits and retry delays take no real time); otherwise it returns once the clock is set past it.
    public init(_ start: Double, jumpsToDeadlines: Bool = false) {
        current = start
        self.jumpsToDeadlines = jumpsToDeadlines
    }

    public func now() -> Double { lock.withLock { current } }

    public func set(_ value: Double) { lock.withLock { current = value } }

    public func advance(by seconds: Double) { lock.withLock { current += seconds } }

    public func sleep(until deadline: Double) async throws {
        if jumpsToDeadlines {
            lock.withLock { current = max(current, deadline) }
            try Task.checkCancellation()
            return
        }
        while now() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
    }
}

/// Elapsed time on the monotonic clock, for latencies and deadlines (the wall clock can jump).
public struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    public init() {}

    /// Seconds since the stopwatch was made.
    public var seconds: Double {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
