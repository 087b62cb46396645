import Foundation
import GRDB
import WindFlowCore

/// API keys: only their SHA-256 hashes are stored; a key is shown once, when it is made.
extension SQLiteStore {
    /// Stores a new API key (only its SHA-256 hash) and returns the key itself, which is shown once.
    public func createAPIKey(name: String, now: Double) throws -> String {
        let key = StoreIDs.apiKey()
        try pool.write { db in
            try db.run(sql: "INSERT INTO api_key (id, name, hash, created_at) VALUES (?, ?, ?, ?)",
                       arguments: ["key_" + Self.newID(), name, Hashes.sha256Hex(key), now])
        }
        return key
    }

    /// Whether `key` is a stored API key (compared by hash).
    public func isValidAPIKey(_ key: String) throws -> Bool {
        let hash = Hashes.sha256Hex(key)
        return try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE hash = ?", arguments: [hash]) ?? false }
    }

    /// The keys' ids, names and creation times (never the keys, which are not stored).
    public func apiKeys() throws -> [(id: String, name: String, createdAt: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_at FROM api_key ORDER BY created_at, id").map { ($0["id"], $0["name"], $0["created_at"]) }
        }
    }

    /// Revokes a key, unless it is the last one (which would lock everyone out of the API).
    /// - Returns: false when there is no such key.
    /// - Throws: ``StoreError`` when it is the last key.
    public func revokeAPIKey(_ id: String) throws -> Bool {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE id = ?", arguments: [id]) == true else { return false }
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_key") ?? 0 > 1 else {
                throw StoreError("'\(id)' is the last API key; create another before revoking it")
            }
            try db.run(sql: "DELETE FROM api_key WHERE id = ?", arguments: [id])
            return true
        }
    }

    public func apiKeyCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_key") ?? 0 }
    }
}
