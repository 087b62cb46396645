import Foundation
import GRDB

extension SQLiteStore {
    /// Stores or replaces the stack file `name`; returns whether it was new.
    @discardableResult
    public func saveStack(_ name: String, definition: String, now: Double) throws -> Bool {
        try pool.write { db in
            let existed = try Bool.fetchOne(db, sql: "SELECT 1 FROM stack WHERE name = ?", arguments: [name]) ?? false
            try db.run(sql: """
                INSERT INTO stack (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                """, arguments: [name, definition, now, now])
            return !existed
        }
    }

    public func stack(_ name: String) throws -> StackRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stack WHERE name = ?", arguments: [name]).map(Self.stack)
        }
    }

    public func stacks() throws -> [StackRecord] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM stack ORDER BY name").map(Self.stack) }
    }

    public func deleteStack(_ name: String) throws -> Bool {
        try pool.write { db in
            try db.run(sql: "DELETE FROM stack WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    private static func stack(_ row: Row) -> StackRecord {
        StackRecord(name: row["name"], definition: row["definition"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
