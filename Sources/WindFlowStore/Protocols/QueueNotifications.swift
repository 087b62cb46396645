/// A store that tells every process sharing it, at once, that an execution was queued (PostgreSQL's
/// LISTEN/NOTIFY), so an idle worker of another process takes it in milliseconds rather than at its next poll.
/// Polling stays the fallback: a lost notification delays an execution by one poll, never more.
public protocol QueueNotifications: Sendable {
    /// Yields each time an execution is queued by any process (and once when listening starts, for what was queued
    /// before), until its consumer stops.
    func queueNotifications() -> AsyncStream<Void>
}
