import PostgresNIO
import WindFlowCore
import WindFlowStore

/// `windflow store copy` from and into PostgreSQL: read in one REPEATABLE READ transaction (one snapshot, however
/// long the copy takes, while other processes go on writing), written in one transaction (all or nothing). Rows
/// leave as `row_to_json` and arrive through `json_populate_recordset`, so each value takes its column's type.
extension PostgresStore: StoreTransfer {
    public func readSnapshot(_ body: @escaping @Sendable (any StoreRowReader) async throws -> Void) async throws {
        try await transaction("REPEATABLE READ, READ ONLY") { session in try await body(PostgresRows(session: session)) }
    }

    public func writeCopy(_ body: @escaping @Sendable (any StoreRowWriter) async throws -> Void) async throws {
        try await transaction { session in try await body(PostgresRows(session: session)) }
    }
}

/// Rows of the store's schema as JSON objects, on the connection of a copy's transaction.
struct PostgresRows: StoreRowReader, StoreRowWriter {
    let session: PostgresStore.Session

    /// `"table"`: the names come from ``StoreTables`` and the schema's own catalog, quoted all the same.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    private static func query(_ sql: String, _ values: [String] = []) -> PostgresQuery {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    func columns(of table: String) async throws -> [String] {
        try await session.rows(Self.query("""
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
            """, [table])).map { try Columns($0)("column_name", String.self) }
    }

    func count(_ table: String) async throws -> Int {
        Int(try await session.value(Self.query("SELECT count(*) FROM \(Self.quoted(table))"), as: Int64.self) ?? 0)
    }

    func rows(of table: String, batch: Int, _ body: @escaping @Sendable ([[String: JSONValue]]) async throws -> Void) async throws {
        let order = try await orderColumns(of: table).map(Self.quoted).joined(separator: ", ")
        let sql = "SELECT row_to_json(t)::text FROM \(Self.quoted(table)) t" + (order.isEmpty ? "" : " ORDER BY \(order)")
        var page: [[String: JSONValue]] = []
        do {
            for try await row in try await session.connection.query(Self.query(sql), logger: session.logger) {
                let text = try row.decode(String.self)
                guard case .object(let object) = try JSONValue.parse(text) else { throw StoreError("a row of \(table) did not read as an object") }
                page.append(object)
                if page.count == batch {
                    try await body(page)
                    page = []
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(PostgresFailure.describe(error, sql: sql, location: nil))
        }
        if !page.isEmpty { try await body(page) }
    }

    /// The order rows were made in where the table keeps it (its generated id), else its primary key.
    private func orderColumns(of table: String) async throws -> [String] {
        let identities = try await identityColumns(of: table)
        if !identities.isEmpty { return identities }
        return try await session.rows(Self.query("""
            SELECT a.attname::text AS column_name FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)
            """, [table])).map { try Columns($0)("column_name", String.self) }
    }

    private func identityColumns(of table: String) async throws -> [String] {
        try await session.rows(Self.query("""
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES' ORDER BY ordinal_position
            """, [table])).map { try Columns($0)("column_name", String.self) }
    }

    func insert(_ rows: [[String: JSONValue]], into table: String) async throws {
        guard !rows.isEmpty else { return }
        let columns = Set(rows.flatMap(\.keys)).sorted().map(Self.quoted).joined(separator: ", ")
        let name = Self.quoted(table)
        try await session.run(Self.query("""
            INSERT INTO \(name) (\(columns)) OVERRIDING SYSTEM VALUE
            SELECT \(columns) FROM json_populate_recordset(NULL::\(name), $1::json)
            """, [JSONValue.array(rows.map(JSONValue.object)).jsonText]))
        // Generated ids were copied as they are: the next one made here comes after them.
        for column in try await identityColumns(of: table) {
            try await session.run(Self.query("""
                SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(\(Self.quoted(column))), 0) + 1, false) FROM \(name)
                """, [name, column]))
        }
    }

    func deleteAll(from table: String) async throws {
        try await session.run(Self.query("DELETE FROM \(Self.quoted(table))"))
    }
}
