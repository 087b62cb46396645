import Foundation
import GRDB
import WindFlowCore

/// The queue of executions waiting for a worker, and its claims.
extension SQLiteStore {
    /// Takes the oldest available execution for `worker` (unclaimed, or under a lease that ended), if any, so no
    /// other worker runs it until `leaseUntil`. A claim from before leases (v14) has none, and counts as ended.
    public func claimNext(worker: String, now: Double, leaseUntil: Double) async throws -> String? {
        try await committer.write { db in
            try String.fetchOne(db, sql: """
                UPDATE queue SET claimed_by = ?, claimed_at = ?, lease_until = ?
                WHERE execution_id = (SELECT execution_id FROM queue
                                      WHERE (claimed_by IS NULL OR lease_until IS NULL OR lease_until < ?) AND available_at <= ?
                                      ORDER BY available_at LIMIT 1)
                RETURNING execution_id
                """, arguments: [worker, now, leaseUntil, now, now])
        }
    }

    /// Extends `worker`'s claims to `until` (the heartbeat).
    public func renewClaims(worker: String, until: Double) async throws -> Int {
        try await committer.write { db in
            try db.run(sql: "UPDATE queue SET lease_until = ? WHERE claimed_by = ?", arguments: [until, worker])
            return db.changesCount
        }
    }

    /// Puts an execution back in the queue (a parked run whose timer is due, or a claim given up).
    public func requeue(_ id: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: """
                INSERT INTO queue (execution_id, available_at) VALUES (?, ?)
                ON CONFLICT (execution_id) DO UPDATE SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL,
                    available_at = excluded.available_at
                """, arguments: [id, now])
        }
    }

    /// Queues an execution unless it is already queued or claimed (a due timer of a run in progress).
    public func enqueueIfAbsent(_ id: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR IGNORE INTO queue (execution_id, available_at) VALUES (?, ?)", arguments: [id, now])
        }
    }

    /// Releases the claim on an execution that is over or parked.
    public func release(_ id: String) async throws {
        let fence = ClaimFence.worker
        try await committer.write { db in
            if let fence {
                try db.run(sql: "DELETE FROM queue WHERE execution_id = ? AND (claimed_by = ? OR claimed_by IS NULL)", arguments: [id, fence])
            } else {
                try db.run(sql: "DELETE FROM queue WHERE execution_id = ?", arguments: [id])
            }
        }
    }

    /// Executions waiting in the queue, unclaimed.
    public func queueDepth() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL") ?? 0 }
    }

    /// Forgets every claim: an SQLite file serves one process, so at its start any claim is a dead process's, and
    /// its executions resume at once rather than when the lease would end.
    public func releaseClaimsAtStart(now: Double) throws {
        try pool.write { db in try db.run(sql: "UPDATE queue SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL WHERE claimed_by IS NOT NULL") }
    }
}
