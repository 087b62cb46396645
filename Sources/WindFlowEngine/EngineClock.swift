import Foundation

/// Where the engine gets the time from, so tests can control it.
public protocol EngineClock: Sendable {
    /// Seconds since 1970.
    func now() -> Double
    /// Returns at `deadline` (seconds since 1970) or throws when the task is cancelled.
    func sleep(until deadline: Double) async throws
}

/// The system's wall clock.
public struct SystemClock: EngineClock {
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }

    public func sleep(until deadline: Double) async throws {
        let seconds = deadline - now()
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(min(seconds, 1e9) * 1e9)) }
        try Task.checkCancellation()
    }
}
