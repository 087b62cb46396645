import Foundation
import WindFlowCore

/// Counts the live event streams open per API key, so one key cannot hold an unbounded number of connections.
/// A stream takes a `Slot`, which gives its place back when it is released — when the response body that holds it
/// is done with, however the stream ended.
final class StreamLimiter: @unchecked Sendable {
    // Safe: `open` is only touched under `lock`.
    private let lock = NSLock()
    private var open: [String: Int] = [:]
    let maxPerKey: Int

    init(maxPerKey: Int) {
        self.maxPerKey = maxPerKey
    }

    /// A place for one more stream of the caller with this `Authorization` header, or nil past the limit.
    func acquire(authorization: String) -> Slot? {
        let key = Hashes.sha256Hex(authorization)
        return lock.withLock {
            guard open[key, default: 0] < maxPerKey else { return nil }
            open[key, default: 0] += 1
            return Slot(key: key, limiter: self)
        }
    }

    fileprivate func release(_ key: String) {
        lock.withLock {
            open[key, default: 1] -= 1
            if open[key] == 0 { open[key] = nil }
        }
    }

    /// How many streams this caller has open.
    func count(authorization: String) -> Int {
        let key = Hashes.sha256Hex(authorization)
        return lock.withLock { open[key, default: 0] }
    }

    /// One open stream's place.
    final class Slot: Sendable {
        let key: String
        let limiter: StreamLimiter

        fileprivate init(key: String, limiter: StreamLimiter) {
            self.key = key
            self.limiter = limiter
        }

        deinit { limiter.release(key) }
    }
}
