import Foundation
import PostgresNIO
import WindFlowStore

/// A PostgreSQL location given as a URL: `postgres://user[:password]@host[:port]/database`, with the options
/// `sslmode` (`disable`, `prefer` (the default), `require`), `schema` (the schema WindFlow's tables live in, created
/// when missing; default `public`) and `pool_size` (connections, default 10).
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var schema: String?
    public var sslMode: String
    public var poolSize: Int

    /// Whether `text` names a PostgreSQL database rather than a file (`postgres://` or `postgresql://`).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `text`.
    /// - Throws: ``StoreError`` naming what is wrong and showing the expected form; the password is never repeated.
    public init(_ text: String) throws {
        let form = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, e.g. postgres://windflow@127.0.0.1:5432/windflow"
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw StoreError("'\(Self.redacting(text))' is not a PostgreSQL URL: \(form)")
        }
        guard let host = components.host, !host.isEmpty else { throw StoreError("the PostgreSQL URL '\(Self.redacting(text))' names no host: \(form)") }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError("the PostgreSQL URL '\(Self.redacting(text))' names no user: \(form)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError("the PostgreSQL URL '\(Self.redacting(text))' names no database: \(form)")
        }
        self.host = host
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw StoreError("the PostgreSQL URL '\(Self.redacting(text))' has port \(port), outside 1–65535") }
        sslMode = "prefer"
        poolSize = 10
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard ["disable", "prefer", "require"].contains(value) else {
                    throw StoreError("sslmode=\(value) in the PostgreSQL URL is not one of disable, prefer, require")
                }
                sslMode = value
            case "schema":
                guard value.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
                    throw StoreError("schema=\(value) in the PostgreSQL URL is not a plain lower-case SQL name (letters, digits, _)")
                }
                schema = value
            case "pool_size":
                guard let size = Int(value), (1...200).contains(size) else {
                    throw StoreError("pool_size=\(value) in the PostgreSQL URL is not a number of connections from 1 to 200")
                }
                poolSize = size
            default:
                throw StoreError("'\(item.name)' in the PostgreSQL URL is not an option WindFlow knows (sslmode, schema, pool_size)")
            }
        }
    }

    /// The URL with its password replaced by `***`, for messages and logs.
    public var redacted: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(schema.map { "?schema=\($0)" } ?? "")"
    }

    /// `text` with a password in it replaced by `***`, for messages about a URL that may not parse.
    public static func redacting(_ text: String) -> String {
        text.replacingOccurrences(of: #"(://[^:/@]*:)[^@]*@"#, with: "$1***@", options: .regularExpression)
    }

    var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
    }

    /// The schema's tables come first on the search path of every connection.
    private var startupParameters: [(String, String)] {
        schema.map { [("search_path", $0)] } ?? []
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// One connection outside the pool (for migrations, which hold a session lock), with the same settings.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }
}
