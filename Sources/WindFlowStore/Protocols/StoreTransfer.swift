import WindFlowCore

/// A store read and written table by table, for `windflow store copy` (``StoreCopy``). Every backend keeps the same
/// tables with the same columns; a row travels as a JSON object of its columns (numbers, text, booleans, nulls).
public protocol StoreTransfer: Sendable {
    /// Runs `body` with a reader whose every read sees the store as of one moment (a snapshot): a copy taken while
    /// processes still write to the store is consistent across its tables.
    func readSnapshot(_ body: @escaping @Sendable (any StoreRowReader) async throws -> Void) async throws
    /// Runs `body` with a writer, in one transaction where the store has them (PostgreSQL: nothing is kept when
    /// `body` throws). An SQLite copy is written into a new file instead, which is renamed only when it is whole.
    func writeCopy(_ body: @escaping @Sendable (any StoreRowWriter) async throws -> Void) async throws
}

/// The reading side of a copy.
public protocol StoreRowReader: Sendable {
    /// The table's columns, by name.
    func columns(of table: String) async throws -> [String]
    func count(_ table: String) async throws -> Int
    /// Calls `body` with the rows of `table` in batches of at most `batch` rows, in the order they were inserted.
    func rows(of table: String, batch: Int, _ body: @escaping @Sendable ([[String: JSONValue]]) async throws -> Void) async throws
}

/// The writing side of a copy.
public protocol StoreRowWriter: Sendable {
    func columns(of table: String) async throws -> [String]
    func count(_ table: String) async throws -> Int
    /// Inserts the rows as given, generated ids included (the store's counters are moved past them).
    func insert(_ rows: [[String: JSONValue]], into table: String) async throws
    func deleteAll(from table: String) async throws
}

/// The tables a copy moves, in an order where each row's references are written before it.
public enum StoreTables {
    /// The records themselves.
    public static let records = [
        "workflow", "workflow_version", "execution", "execution_event", "node_run", "execution_log", "timer", "queue",
        "schedule", "file_watch", "api_key", "secret", "stack", "proposal", "llm_call", "suggestion",
    ]
    /// Tables the stores fill by themselves as records are written (the per-node statistics, the feed of all runs'
    /// events): emptied after the records are in, then copied as they are, so the copy matches the source exactly.
    public static let derived = ["node_stats", "node_duration", "event_feed"]

    public static var all: [String] { records + derived }

    /// Columns one backend keeps where the other orders by something of its own: PostgreSQL's `execution.seq` is
    /// SQLite's rowid. A copy into a store without them leaves them out (the target makes its own, in copy order).
    public static let backendColumns: [String: Set<String>] = ["execution": ["seq"]]
}
