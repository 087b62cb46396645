import PostgresNIO

/// Turns PostgresNIO's errors into messages a user can act on. `PSQLError`'s own description hides everything (to
/// keep bound values out of logs); this one says the server's message, SQLSTATE and the statement, never the values.
enum PostgresFailure {
    static func describe(_ error: any Error, sql: String?, location: String?) -> String {
        let statement = sql.map { " (in: \(oneLine($0)))" } ?? ""
        guard let error = error as? PSQLError else {
            if let error = error as? PostgresDecodingError {
                return "a PostgreSQL value could not be read as \(error.targetType) from column '\(error.columnName)'\(statement)"
            }
            return "PostgreSQL: \(error)\(statement)"
        }
        if let server = error.serverInfo, let message = server[.message] {
            let state = server[.sqlState].map { " [SQLSTATE \($0)]" } ?? ""
            let detail = server[.detail].map { "; \($0)" } ?? ""
            return "PostgreSQL refused: \(message)\(detail)\(state)\(statement)"
        }
        let place = location.map { " at \($0)" } ?? ""
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return "cannot reach PostgreSQL\(place)\(cause); check that the server is running and accepts TCP connections on that host and port"
        case .sslUnsupported:
            return "the PostgreSQL server\(place) does not offer TLS; add ?sslmode=disable to the URL on a trusted network, or enable TLS on the server"
        case .authMechanismRequiresPassword:
            return "the PostgreSQL server\(place) asks for a password; put it in the URL (postgres://USER:PASSWORD@HOST/DB)"
        default:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return "PostgreSQL failed (\(error.code))\(place)\(cause)\(statement)"
        }
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    private static func oneLine(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > 160 ? String(words.prefix(160)) + "…" : words
    }
}
