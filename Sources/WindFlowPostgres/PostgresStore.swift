import Foundation
import Logging
import PostgresNIO
import WindFlowCore
import WindFlowStore

/// WindFlow's store on PostgreSQL, for several `windflow` processes sharing one database. It keeps the same
/// records with the same semantics as the SQLite store (the store contract tests run on both): every transition is
/// committed, all or nothing, before the call returns; values are always bound, never spliced into SQL.
///
/// Timestamps and durations are `double precision` (the `Double` the callers gave, exactly), JSON is kept as the
/// text it was written as (so it reads back byte for byte), counters are `bigint`.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    public let limits: StoreLimits
    let logger: Logger
    /// Where the store is, without its password: for error messages.
    let location: String
    /// The channel queue insertions are announced on (per schema, so stores in other schemas are not woken).
    let queueChannel: String
    /// Decoded workflow versions; versions never change, so entries never go stale.
    let versionCache = VersionCache()
    /// Keeps the active-workflows generation between reads (see ``activeWorkflowsGeneration()``).
    let generation = GenerationCache()
    /// The pool's background work (`PostgresClient.run()`), for as long as the store is open.
    private let running: Task<Void, Never>

    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database[?sslmode=…&schema=…]`),
    /// brings its schema up to date under an advisory lock (so processes starting together migrate once), and
    /// opens a connection pool.
    /// - Throws: ``StoreError`` saying what failed, where, and how to fix it: a malformed URL, an unreachable server,
    ///   refused credentials, a failed migration.
    public static func open(url: String, limits: StoreLimits = StoreLimits(),
                            logger: Logger = Logger(label: "windflow.postgres")) async throws -> PostgresStore {
        let settings = try PostgresURL(url)
        try await PostgresMigrations.migrate(settings, logger: logger)
        return PostgresStore(settings: settings, limits: limits, logger: logger)
    }

    private init(settings: PostgresURL, limits: StoreLimits, logger: Logger) {
        client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.limits = limits
        self.logger = logger
        location = settings.redacted
        queueChannel = "windflow_queue_" + (settings.schema ?? "public")
        // An unstructured task on purpose: the store is opened by synchronous-looking call sites (every CLI command,
        // the server) and lives as long as the process; `close()` ends it. The pool does nothing without it.
        running = Task { [client] in await client.run() }
    }

    deinit {
        running.cancel()
    }

    /// Closes the pool's connections; the store cannot be used afterwards.
    public func close() {
        running.cancel()
    }
}

// MARK: Running statements

extension PostgresStore {
    /// The rows `query` returns, read on a connection of the pool.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await withConnection { [logger] connection in try await Self.rows(query, on: connection, logger: logger) }
        } catch {
            throw failure(error, doing: query)
        }
    }

    /// Runs `query` for its effect; returns how many rows it returned (write `RETURNING 1` to count changed rows).
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }

    /// The first column of the first row, if there is a row and the value is not NULL.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        guard let row = try await rows(query).first else { return nil }
        return try Columns(row).optional(at: 0, T.self)
    }

    /// Runs `work` in one transaction (`isolation` as given): committed when it returns, rolled back when it throws,
    /// and its own error is the one rethrown. A transaction the server chose as a deadlock's victim (two commits
    /// updating the same per-node counters in opposite orders) is run again, up to 5 times: nothing of it was kept.
    func transaction<T: Sendable>(_ isolation: String = "READ COMMITTED",
                                  _ work: @escaping @Sendable (Session) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(isolation, work)
            } catch let error as RetryableConflict where attempt < 5 {
                logger.debug("a transaction is run again after a conflict", metadata: ["sqlstate": "\(error.sqlState)", "attempt": "\(attempt)"])
                attempt += 1
            } catch let error as RetryableConflict {
                throw error.failure
            }
        }
    }

    private func transactionOnce<T: Sendable>(_ isolation: String, _ work: @escaping @Sendable (Session) async throws -> T) async throws -> T {
        do {
            return try await withConnection { [logger] connection in
                let session = Session(connection: connection, logger: logger)
                try await session.run(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation)"))
                do {
                    let result = try await work(session)
                    try await session.run("COMMIT")
                    return result
                } catch {
                    do { try await session.run("ROLLBACK") } catch {
                        // The first error is the one the caller needs; the server ends the transaction with the session.
                        logger.warning("a rollback failed", metadata: ["error": "\(error)"])
                    }
                    throw error
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as RetryableConflict {
            throw error
        } catch let error as ClaimLost {
            throw error  // the caller's own answer (a fenced commit), not a database failure
        } catch {
            throw failure(error, doing: nil)
        }
    }

    /// A deadlock (40P01) or serialization failure (40001): the whole transaction may be run again.
    struct RetryableConflict: Error {
        let sqlState: String
        let failure: StoreError
    }

    static func rows(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
        return rows
    }

    /// A ``StoreError`` for a failed statement: the server's message and SQLSTATE, the statement (never its
    /// values, which may be secrets), and what to check when the server could not be reached.
    func failure(_ error: any Error, doing query: PostgresQuery?) -> StoreError {
        if let error = error as? StoreError { return error }
        return StoreError(PostgresFailure.describe(error, sql: query?.sql, location: location))
    }

    /// One connection inside a transaction.
    struct Session: @unchecked Sendable {
        // Safe: a session is used by the one task that runs its transaction, never shared between tasks.
        let connection: PostgresConnection
        let logger: Logger

        func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
            do { return try await PostgresStore.rows(query, on: connection, logger: logger) } catch {
                let failure = StoreError(PostgresFailure.describe(error, sql: query.sql, location: nil))
                if let state = PostgresFailure.sqlState(error), state == "40P01" || state == "40001" {
                    throw RetryableConflict(sqlState: state, failure: failure)
                }
                throw failure
            }
        }

        @discardableResult
        func run(_ query: PostgresQuery) async throws -> Int { try await rows(query).count }

        func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
            guard let row = try await rows(query).first else { return nil }
            return try Columns(row).optional(at: 0, T.self)
        }
    }
}
