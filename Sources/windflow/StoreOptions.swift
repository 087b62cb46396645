import ArgumentParser
import Foundation
import Logging
import WindFlowCore
import WindFlowEngine
import WindFlowPostgres
import WindFlowStore

/// `--db`, shared by every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The store: a SQLite file, or a PostgreSQL URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE).",
        discussion: "Default: $WINDFLOW_DB, else $XDG_DATA_HOME/windflow/windflow.sqlite (~/.local/share/windflow/windflow.sqlite). Processes sharing a PostgreSQL database share its workflows and runs."))
    var path: String?
    @Option(name: .customLong("stacks-dir"), help: "Where stack files are, for the deployment actions (default: $WINDFLOW_STACKS_DIR, else ./stacks).")
    var stacksDirectory: String?
    @Option(name: .customLong("data-dir"), help: "Where relative backup, report and certificate paths start (default: $WINDFLOW_DATA_DIR, else the current folder).")
    var dataDirectory: String?
    @Option(name: .customLong("docker-host"), help: "The Docker Engine API socket (default: $DOCKER_HOST, else unix:///var/run/docker.sock).")
    var dockerHost: String?

    /// The database path: the flag, `$WINDFLOW_DB`, or the XDG data directory.
    var resolvedPath: String {
        if let path { return path }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["WINDFLOW_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/share")
        return data + "/windflow/windflow.sqlite"
    }

    /// The resolved location as it may be shown: a URL's password is replaced by `***`.
    var displayedLocation: String {
        PostgresURL.isPostgres(resolvedPath) ? PostgresURL.redacting(resolvedPath) : resolvedPath
    }

    /// The store at the resolved location: the one place the CLI picks an implementation. A `postgres://` (or
    /// `postgresql://`) URL opens the PostgreSQL store; anything else is a SQLite file.
    func openStore() async throws -> any WindFlowStorage {
        let location = resolvedPath
        guard PostgresURL.isPostgres(location) else {
            do { return try SQLiteStore(path: location) } catch { throw CLIError("\(error)") }
        }
        do { return try await PostgresStore.open(url: location) } catch {
            throw CLIError("\(error) (the store comes from \(path != nil ? "--db" : "$WINDFLOW_DB"))")
        }
    }

    /// An engine on `store` (the resolved one when nil), with secrets from `WINDFLOW_SECRET_<NAME>` variables.
    func engine(on store: (any WindFlowStorage)? = nil, observer: ExecutionObserver? = nil, parkAfter: Double = .infinity) async throws -> WorkflowEngine {
        let environment = ProcessInfo.processInfo.environment
        var secrets: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("WINDFLOW_SECRET_") {
            secrets[String(name.dropFirst("WINDFLOW_SECRET_".count))] = value
        }
        let configuration = EngineConfiguration(
            secrets: secrets, environment: EngineConfiguration.expressionEnvironment(environment), parkAfter: parkAfter)
        var deployment = DeploymentSettings(environment: environment)
        if let stacksDirectory { deployment.stacksDirectory = stacksDirectory }
        if let dockerHost { deployment.dockerHost = dockerHost }
        if let dataDirectory { deployment.dataDirectory = dataDirectory }
        let store: any WindFlowStorage = if let store { store } else { try await openStore() }
        deployment.storedStacks = { name in
            do { return try await store.stack(name)?.definition } catch {
                Logger(label: "windflow.stacks").error("a stored stack could not be read", metadata: ["stack": "\(name)", "error": "\(error)"])
                return nil
            }
        }
        return WorkflowEngine(runner: ExecutionRunner(
            store: store, executors: .standard(deployment: deployment), configuration: configuration, observer: observer))
    }

    /// Applies WINDFLOW_KEEP_DAYS / WINDFLOW_KEEP_EXECUTIONS, when set.
    func applyRetention(_ store: any ExecutionStore) async throws {
        let environment = ProcessInfo.processInfo.environment
        let days = environment["WINDFLOW_KEEP_DAYS"].flatMap(Double.init)
        let count = environment["WINDFLOW_KEEP_EXECUTIONS"].flatMap(Int.init)
        guard days != nil || count != nil else { return }
        try await store.sweep(keepDays: days, keepExecutions: count, now: SystemClock().now())
    }
}
