import PostgresNIO
import WindFlowCore
import WindFlowStore

/// The queue of executions waiting for a worker, and its claims. A claim takes the oldest available row with
/// `FOR UPDATE SKIP LOCKED`: workers in any number of processes never wait on each other's claims, and never share
/// one. A claim is held under a lease its worker renews; one whose lease ended is available again.
extension PostgresStore: ExecutionQueue {
    public func claimNext(worker: String, now: Double, leaseUntil: Double) async throws -> String? {
        try await value("""
            UPDATE queue SET claimed_by = \(worker), claimed_at = \(now), lease_until = \(leaseUntil)
            WHERE execution_id = (SELECT execution_id FROM queue
                                  WHERE (claimed_by IS NULL OR lease_until IS NULL OR lease_until < \(now)) AND available_at <= \(now)
                                  ORDER BY available_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING execution_id
            """, as: String.self)
    }

    public func renewClaims(worker: String, until: Double) async throws -> Int {
        try await run("UPDATE queue SET lease_until = \(until) WHERE claimed_by = \(worker) RETURNING 1")
    }

    public func release(_ id: String) async throws {
        if let fence = ClaimFence.worker {
            try await run("DELETE FROM queue WHERE execution_id = \(id) AND (claimed_by = \(fence) OR claimed_by IS NULL)")
        } else {
            try await run("DELETE FROM queue WHERE execution_id = \(id)")
        }
    }

    public func requeue(_ id: String, now: Double) async throws {
        try await run("""
            INSERT INTO queue (execution_id, available_at) VALUES (\(id), \(now))
            ON CONFLICT (execution_id) DO UPDATE SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL,
                available_at = excluded.available_at
            """)
        try await run("SELECT pg_notify(\(queueChannel), '')")
    }

    public func enqueueIfAbsent(_ id: String, now: Double) async throws {
        if try await run("INSERT INTO queue (execution_id, available_at) VALUES (\(id), \(now)) ON CONFLICT (execution_id) DO NOTHING RETURNING 1") > 0 {
            try await run("SELECT pg_notify(\(queueChannel), '')")
        }
    }

    /// Forgets the claims whose lease ended; the live claims of other processes sharing the database are kept.
    public func releaseClaimsAtStart(now: Double) async throws {
        try await run("""
            UPDATE queue SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL
            WHERE claimed_by IS NOT NULL AND (lease_until IS NULL OR lease_until < \(now))
            """)
    }

    public func queueDepth() async throws -> Int {
        try await value("SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL", as: Int.self) ?? 0
    }
}

extension PostgresStore: ExecutionStore {}
