import Foundation
import GRDB
import WindFlowCore

extension SQLiteStore {
    /// Figures for /metrics: executions by status and by trigger type, queue depth, node durations.
    public func metrics() throws -> (byStatus: [String: Int], byTrigger: [String: Int], queueDepth: Int, durations: [Double]) {
        try pool.read { db in
            var byStatus: [String: Int] = [:], byTrigger: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM execution GROUP BY status") { byStatus[row["status"]] = row["n"] }
            for row in try Row.fetchAll(db, sql: "SELECT trigger_type, COUNT(*) AS n FROM execution GROUP BY trigger_type") {
                byTrigger[row["trigger_type"]] = row["n"]
            }
            let depth = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queue WHERE claimed_by IS NULL") ?? 0
            let durations = try Double.fetchAll(db, sql: "SELECT duration_ms FROM node_run WHERE duration_ms IS NOT NULL ORDER BY id DESC LIMIT 100000")
            return (byStatus, byTrigger, depth, durations.map { $0 / 1000 })
        }
    }
}
