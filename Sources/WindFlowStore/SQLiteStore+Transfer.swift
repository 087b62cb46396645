import Foundation
import GRDB
import WindFlowCore

/// `windflow store copy` from and into an SQLite file: read from a snapshot of the pool (WAL), written on a connection
/// of its own in one transaction (begun and ended across several accesses, which the pool's connections refuse).
extension SQLiteStore: StoreTransfer {
    public func readSnapshot(_ body: @escaping @Sendable (any StoreRowReader) async throws -> Void) async throws {
        let snapshot: DatabaseSnapshot
        do { snapshot = try pool.makeSnapshot() } catch { throw StoreError("cannot read the database at \(pool.path): \(error)") }
        try await body(SQLiteRows(reader: snapshot))
    }

    public func writeCopy(_ body: @escaping @Sendable (any StoreRowWriter) async throws -> Void) async throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
        let connection: DatabaseQueue
        do {
            connection = try DatabaseQueue(path: pool.path, configuration: configuration)
            try connection.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        } catch {
            throw StoreError("cannot write the database at \(pool.path): \(error) (is a windflow process using it? stop it first)")
        }
        do {
            try await body(SQLiteRows(writer: connection))
            try connection.inDatabase { db in try db.execute(sql: "COMMIT") }
        } catch {
            // The copy's error is the one to report; a failed rollback ends with the connection, which SQLite rolls back.
            try? connection.inDatabase { db in try db.execute(sql: "ROLLBACK") }
            throw error
        }
    }
}

/// Rows of an SQLite file as JSON objects, read from a snapshot or written through a copy's connection.
struct SQLiteRows: StoreRowReader, StoreRowWriter {
    private let reader: (any DatabaseReader)?
    private let writer: DatabaseQueue?

    init(reader: any DatabaseReader) {
        self.reader = reader
        writer = nil
    }

    init(writer: DatabaseQueue) {
        reader = nil
        self.writer = writer
    }

    private func access<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            if let writer { return try writer.inDatabase(work) }
            return try reader!.unsafeReentrantRead(work)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("\(error)")
        }
    }

    func columns(of table: String) async throws -> [String] {
        try access { db in try db.columns(in: table).map(\.name) }
    }

    func count(_ table: String) async throws -> Int {
        try access { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0 }
    }

    /// Pages through the table by its primary key (the rowid where it has no other), from the snapshot.
    func rows(of table: String, batch: Int, _ body: @escaping @Sendable ([[String: JSONValue]]) async throws -> Void) async throws {
        let name = table.quotedDatabaseIdentifier
        // The rowid where the table has one (the order rows were made in), else the primary key.
        let (hidden, key): (Bool, [String]) = try access { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
            return sql.uppercased().contains("WITHOUT ROWID") ? (false, try db.primaryKey(table).columns) : (true, ["rowid"])
        }
        let keyList = key.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let select = hidden ? "SELECT rowid AS \"windflow rowid\", * FROM \(name)" : "SELECT * FROM \(name)"
        var after: [DatabaseValue]?
        while true {
            let page: [(key: [DatabaseValue], row: [String: JSONValue])] = try access { db in
                let filter = after.map { "WHERE (\(keyList)) > (\(Array(repeating: "?", count: $0.count).joined(separator: ", ")))" } ?? ""
                return try Row.fetchAll(db, sql: "\(select) \(filter) ORDER BY \(keyList) LIMIT ?",
                                        arguments: StatementArguments((after ?? []) + [batch.databaseValue])).map { row in
                    var object: [String: JSONValue] = [:]
                    for (column, value) in row where column != "windflow rowid" { object[column] = JSONValue(value) }
                    let cursor: [DatabaseValue] = hidden ? [row["windflow rowid"] as DatabaseValue] : key.map { row[$0] as DatabaseValue }
                    return (cursor, object)
                }
            }
            guard let last = page.last else { return }
            after = last.key
            try await body(page.map(\.row))
            if page.count < batch { return }
        }
    }

    func insert(_ rows: [[String: JSONValue]], into table: String) async throws {
        try access { db in
            for row in rows {
                let columns = row.keys.sorted()
                let names = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
                let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                try db.run(sql: "INSERT INTO \(table.quotedDatabaseIdentifier) (\(names)) VALUES (\(marks))",
                           arguments: StatementArguments(columns.map { Self.database(row[$0]!) }))
            }
        }
    }

    func deleteAll(from table: String) async throws {
        try access { db in try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier)") }
    }

    static func database(_ value: JSONValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return (flag ? 1 : 0).databaseValue
        case .int(let number): return number.databaseValue
        case .double(let number): return number.databaseValue
        case .string(let text): return text.databaseValue
        case .array, .object: return value.jsonText.databaseValue
        }
    }
}
