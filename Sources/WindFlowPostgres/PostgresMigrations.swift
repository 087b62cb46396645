import Logging
import PostgresNIO
import WindFlowStore

/// The PostgreSQL schema, as numbered migrations run at open. Each runs once per schema, in its own transaction,
/// and is recorded in `windflow_migration`; processes starting together wait on an advisory lock, so one of them
/// migrates and the others find it done. A migration, once released, never changes: a change is a new one.
enum PostgresMigrations {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: 1, name: "workflows, executions, events, node runs, logs, timers, queue", statements: PostgresSchema.core),
        Migration(version: 2, name: "API keys, secrets, schedules, file snapshots, stacks", statements: PostgresSchema.service),
        Migration(version: 3, name: "proposals, model calls, suggestions", statements: PostgresSchema.designer),
        Migration(version: 4, name: "event feed in commit order", statements: PostgresSchema.feed),
        Migration(version: 5, name: "node statistics kept up to date", statements: PostgresSchema.nodeStatistics),
        Migration(version: 6, name: "claim leases", statements: ["ALTER TABLE queue ADD COLUMN lease_until double precision"]),
    ]

    /// Brings the schema at `settings` up to date, on one connection of its own that holds the migration lock.
    /// - Throws: ``StoreError`` when the server cannot be reached or a migration fails (nothing of it is kept).
    static func migrate(_ settings: PostgresURL, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: settings.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw StoreError("cannot open the PostgreSQL database \(settings.redacted): " + PostgresFailure.describe(error, sql: nil, location: nil))
        }
        do {
            try await migrate(on: connection, schema: settings.schema, logger: logger)
        } catch {
            await close(connection, logger: logger)
            throw StoreError("cannot migrate the PostgreSQL database \(settings.redacted): " + PostgresFailure.describe(error, sql: nil, location: nil))
        }
        await close(connection, logger: logger)
    }

    private static func migrate(on connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        func run(_ sql: String) async throws {
            do { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) } catch {
                throw StoreError(PostgresFailure.describe(error, sql: sql, location: nil))
            }
        }
        // The lock is taken before the schema is created: two processes creating it at once would otherwise collide
        // (CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent one). The name was checked to be a plain
        // lower-case identifier (PostgresURL), so it needs no quoting; without one, the schema is the search path's.
        let lock = schema.map { "'\($0)'" } ?? "current_schema()"
        try await run("SELECT pg_advisory_lock(hashtext('windflow.migrations'), hashtext(\(lock)))")
        if let schema { try await run("CREATE SCHEMA IF NOT EXISTS \(schema)") }
        try await run("""
            CREATE TABLE IF NOT EXISTS windflow_migration (
                version bigint PRIMARY KEY, name text NOT NULL, applied_at double precision NOT NULL)
            """)
        var applied: Set<Int> = []
        for try await row in try await connection.query("SELECT version FROM windflow_migration", logger: logger) {
            applied.insert(try row.decode(Int.self))
        }
        for migration in all where !applied.contains(migration.version) {
            try await run("BEGIN")
            do {
                for statement in migration.statements { try await run(statement) }
                try await connection.query("""
                    INSERT INTO windflow_migration (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), extract(epoch FROM clock_timestamp())::double precision)
                    """, logger: logger)
                try await run("COMMIT")
            } catch {
                try await run("ROLLBACK")
                throw StoreError("migration v\(migration.version) (\(migration.name)) failed: \(error)")
            }
            logger.info("migrated the PostgreSQL store", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        try await run("SELECT pg_advisory_unlock(hashtext('windflow.migrations'), hashtext(\(lock)))")
    }

    private static func close(_ connection: PostgresConnection, logger: Logger) async {
        do { try await connection.close() } catch {
            logger.debug("closing the migration connection failed", metadata: ["error": "\(error)"])
        }
    }
}
