import PostgresNIO
import WindFlowCore

/// A result row read by column name; a NULL read as a non-optional value is an error that names the column.
struct Columns {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    /// The value of `name`, which must not be NULL.
    func callAsFunction<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T {
        try row[name].decode(T.self)
    }

    /// The value of `name`, or nil for NULL.
    func optional<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T? {
        let cell = row[name]
        return cell.bytes == nil ? nil : try cell.decode(T.self)
    }

    func optional<T: PostgresDecodable>(at index: Int, _ type: T.Type = T.self) throws -> T? {
        let cell = row[index]
        return cell.bytes == nil ? nil : try cell.decode(T.self)
    }

    /// JSON stored as text in `name`, if it is there and reads as JSON.
    func json(_ name: String) throws -> JSONValue? {
        guard let text = try optional(name, String.self) else { return nil }
        do { return try JSONValue.parse(text) } catch { return nil }
    }
}
