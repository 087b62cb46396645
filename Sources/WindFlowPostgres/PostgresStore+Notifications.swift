import Logging
import PostgresNIO
import WindFlowStore

/// Queue wake-ups across processes: the statements that queue an execution `pg_notify` the store's channel (in
/// their transaction, so the notification goes out at commit), and each process LISTENs on one connection of its
/// pool. A connection lost is listened on again, with backoff, logged once until it works again.
extension PostgresStore: QueueNotifications {
    public func queueNotifications() -> AsyncStream<Void> {
        AsyncStream { continuation in
            let task = Task { [client, queueChannel, logger] in
                var failures = 0
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: queueChannel) { notifications in
                                continuation.yield()  // anything queued while nobody listened
                                for try await _ in notifications { continuation.yield() }
                            }
                        }
                        failures = 0
                    } catch {
                        if Task.isCancelled { break }
                        failures += 1
                        if failures == 1 {
                            logger.warning("queue notifications are not received; workers fall back to polling until they are",
                                           metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(nanoseconds: UInt64(min(5.0, 0.25 * Double(1 << min(failures, 5))) * 1e9))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
