import Foundation
import GRDB
import WindFlowCore

/// Secrets: stored apart from workflows, read by name at run time, never returned by the API.
extension SQLiteStore {
    public func setSecret(_ name: String, value: String, now: Double) throws {
        try pool.write { db in
            try db.run(sql: "INSERT OR REPLACE INTO secret (name, value, updated_at) VALUES (?, ?, ?)", arguments: [name, value, now])
        }
    }

    public func deleteSecret(_ name: String) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "DELETE FROM secret WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Secret names and when each was last set; never the values.
    public func secretNames() throws -> [(name: String, updatedAt: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, updated_at FROM secret ORDER BY name").map { ($0["name"], $0["updated_at"]) }
        }
    }

    /// Every secret with its value, for the engine only.
    public func secrets() throws -> [String: String] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, value FROM secret").map { ($0["name"] as String, $0["value"] as String) })
        }
    }
}
