import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowPostgres

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run executions from a shared PostgreSQL queue, with no HTTP listener.",
        discussion: """
            A worker of a cluster: it takes executions from the queue that the `windflow serve` processes on the same \
            database fill (webhooks, the API, schedules), under the same claim leases, and fires due timers. SIGTERM or \
            SIGINT drains it as it drains serve. An SQLite file serves one process: use `windflow serve` there.
            """)

    @Option(help: "Executions run at the same time (default 4).") var workers: Int = 4
    @Option(name: .customLong("claim-lease"), help: "Seconds a claim lasts unless renewed (default 30).") var claimLease: Double = 30
    @Flag(name: .customLong("no-listen"), help: "Do not LISTEN for queued executions (a PgBouncer in transaction mode cannot carry it); idle workers poll every 0.25 s.")
    var noListen = false
    @Option(name: .customLong("shutdown-grace"), help: "Seconds running executions get at SIGTERM to end or park (default 30).") var shutdownGrace: Double = 30
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info; $WINDFLOW_LOG_LEVEL).")
    var logLevel: String?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("workers must be from 1 to 256, not \(workers)") }
        guard (1...3600).contains(claimLease) else { throw ValidationError("the claim lease must be from 1 to 3600 seconds, not \(claimLease)") }
        guard shutdownGrace >= 0 else { throw ValidationError("the shutdown grace must be 0 or more seconds") }
    }

    func run() async throws {
        try ProcessLogging.bootstrap(level: logLevel ?? ProcessInfo.processInfo.environment["WINDFLOW_LOG_LEVEL"])
        guard PostgresURL.isPostgres(store.resolvedPath) else {
            throw CLIError("windflow worker shares a PostgreSQL queue (--db postgres://… or WINDFLOW_DB); \(store.displayedLocation) is an SQLite file, "
                + "which serves one process: run windflow serve on it instead")
        }
        let database = try await store.openStore()
        await ProcessLogging.redaction.update(secrets: try await database.secrets())
        let engine = try await store.engine(on: database, parkAfter: 1)
        let runtime = EngineRuntime(engine: engine, configuration: RuntimeConfiguration(
            workers: workers, shutdownGrace: shutdownGrace, claimLease: claimLease, listens: !noListen))
        writeLine("WindFlow worker taking executions from \(store.displayedLocation) (\(workers) at a time)")
        try await runtime.runUntilSignalled()
        writeLine("WindFlow worker stopped")
    }
}
