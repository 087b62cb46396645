import PostgresNIO
import WindFlowCore
import WindFlowStore

/// The queue of executions waiting for a worker, and its claims. A claim takes the oldest available row with
/// `FOR UPDATE SKIP LOCKED`: workers in any number of processes never wait on each other's claims, and never share
/// one.
extension PostgresStore: ExecutionQueue {
    public func claimNext(worker: String, now: Double) async throws -> String? {
        try await value("""
            UPDATE queue SET claimed_by = \(worker), claimed_at = \(now)
            WHERE execution_id = (SELECT execution_id FROM queue WHERE claimed_by IS NULL AND available_at <= \(now)
                                  ORDER BY available_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING execution_id
            """, as: String.self)
    }

    public func release(_ id: String) async throws {
        try await run("DELETE FROM queue WHERE execution_id = \(id)")
    }

    public func requeue(_ id: String, now: Double) async throws {
        try await run("""
            INSERT INTO queue (execution_id, available_at) VALUES (\(id), \(now))
            ON CONFLICT (execution_id) DO UPDATE SET claimed_by = NULL, claimed_at = NULL, available_at = excluded.available_at
            """)
    }

    public func enqueueIfAbsent(_ id: String, now: Double) async throws {
        try await run("INSERT INTO queue (execution_id, available_at) VALUES (\(id), \(now)) ON CONFLICT (execution_id) DO NOTHING")
    }

    /// Forgets every claim. - warning: With several processes on one database this takes back the live claims of
    /// the others too (claims have no lease yet, as in the SQLite store).
    public func releaseAllClaims() async throws {
        try await run("UPDATE queue SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by IS NOT NULL")
    }

    public func queueDepth() async throws -> Int {
        try await value("SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL", as: Int.self) ?? 0
    }
}

extension PostgresStore: ExecutionStore {}
