import Foundation
import GRDB
import WindFlowCore

/// What triggers remember between ticks and across restarts: schedule plans and file-trigger snapshots.
extension SQLiteStore {
    /// When a schedule trigger fires next, if it has been planned.
    public func nextFire(workflow: String, node: String) throws -> Double? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT next_fire_at FROM schedule WHERE workflow_id = ? AND node_id = ?", arguments: [workflow, node])
        }
    }

    public func setNextFire(workflow: String, node: String, at: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR REPLACE INTO schedule (workflow_id, node_id, next_fire_at) VALUES (?, ?, ?)",
                       arguments: [workflow, node, at])
        }
    }

    /// What a file trigger last saw (JSON, the watcher's own format), so changes made while the service was down
    /// are seen at the next start. nil: never looked.
    public func fileSnapshot(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT snapshot FROM file_watch WHERE watch_key = ?", arguments: [key]) }
    }

    public func setFileSnapshot(_ key: String, _ snapshot: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT INTO file_watch (watch_key, snapshot, looked_at) VALUES (?, ?, ?) ON CONFLICT(watch_key) DO UPDATE SET snapshot = excluded.snapshot, looked_at = excluded.looked_at",
                       arguments: [key, snapshot, now])
        }
    }
}
