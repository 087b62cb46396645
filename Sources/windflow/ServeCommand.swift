import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowEngine
import WindFlowPostgres
import WindFlowServer
import WindFlowStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the WindFlow service: the HTTP API, webhooks and the workers that run executions.",
        discussion: """
            Executions a previous run left unfinished resume at start. When no API key exists, one is created and \
            printed once. Stops on SIGTERM or SIGINT; executions in flight resume at the next start.
            """)

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (default 8080).") var port: Int?
    @Option(help: "Executions run at the same time (default 4); 0 on PostgreSQL makes an API node that only queues them, for the workers of the cluster.") var workers: Int?
    @Option(name: .customLong("shutdown-grace"), help: "Seconds running executions get at SIGTERM or SIGINT to end or park; then their running nodes are stopped and they resume at the next start (default 30).")
    var shutdownGrace: Double?
    @Option(name: .customLong("claim-lease"), help: "Seconds a worker's claim on an execution lasts unless renewed; a process that dies loses its executions to the others this long after its last heartbeat (default 30).")
    var claimLease: Double?
    @Flag(name: .customLong("no-listen"), help: "Do not LISTEN for executions other processes queue on PostgreSQL (a PgBouncer in transaction mode cannot carry it); idle workers poll every 0.25 s.")
    var noListen = false
    @Option(name: .customLong("editor-dir"), help: "Serve the editor from this folder instead of the bundled copy (default: $WINDFLOW_EDITOR_DIR).")
    var editorDirectory: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info; $WINDFLOW_LOG_LEVEL).")
    var logLevel: String?
    @Option(help: "A YAML or JSON file of settings (see docs/CONFIGURATION.md); flags and environment variables win over it.")
    var config: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup(title: "Designer (POST /api/v1/designs)") var designerOptions: DesignerOptions

    func run() async throws {
        let settings = try ServiceSettings(file: config)
        try ProcessLogging.bootstrap(level: logLevel ?? settings.string("log_level"))
        var storeOptions = store
        if storeOptions.path == nil { storeOptions.path = settings.string("db") }
        if storeOptions.stacksDirectory == nil { storeOptions.stacksDirectory = settings.string("stacks_dir") }
        if storeOptions.dockerHost == nil { storeOptions.dockerHost = settings.string("docker_host") }
        if storeOptions.dataDirectory == nil { storeOptions.dataDirectory = settings.string("data_dir") }
        let defaults = ServerConfiguration()
        var limits = defaults.limits
        limits.maxHeaderBytes = try (try settings.number("max_header_bytes")).map { Int($0) } ?? limits.maxHeaderBytes
        limits.idleTimeout = try settings.number("idle_timeout") ?? limits.idleTimeout
        limits.maxStreamsPerKey = try (try settings.number("max_streams_per_key")).map { Int($0) } ?? limits.maxStreamsPerKey
        guard limits.maxHeaderBytes >= 1024 else { throw CLIError("max_header_bytes must be 1024 or more, not \(limits.maxHeaderBytes)") }
        guard limits.idleTimeout > 0 else { throw CLIError("idle_timeout must be more than 0 seconds") }
        guard limits.maxStreamsPerKey >= 1 else { throw CLIError("max_streams_per_key must be 1 or more, not \(limits.maxStreamsPerKey)") }
        var configuration = ServerConfiguration(
            host: host ?? settings.string("host") ?? defaults.host,
            port: try port ?? (try settings.number("port")).map { Int($0) } ?? defaults.port,
            workers: try workers ?? (try settings.number("workers")).map { Int($0) } ?? defaults.workers,
            maxBodyBytes: try (try settings.number("max_body_bytes")).map { Int($0) } ?? defaults.maxBodyBytes,
            maxQueueDepth: try (try settings.number("max_queue_depth")).map { Int($0) } ?? defaults.maxQueueDepth,
            shutdownGrace: try shutdownGrace ?? settings.number("shutdown_grace") ?? defaults.shutdownGrace,
            editorDirectory: editorDirectory ?? settings.string("editor_dir"), limits: limits)
        guard (0...65535).contains(configuration.port) else { throw CLIError("the port must be from 0 to 65535, not \(configuration.port)") }
        guard (0...256).contains(configuration.workers) else { throw CLIError("workers must be from 1 to 256, not \(configuration.workers)") }
        if configuration.workers == 0, !PostgresURL.isPostgres(storeOptions.resolvedPath) {
            throw CLIError("workers 0 makes an API node that runs nothing itself, for a cluster on PostgreSQL; on an SQLite file nothing would run the executions: give it 1 or more")
        }
        configuration.listens = !noListen
        guard configuration.shutdownGrace >= 0 else { throw CLIError("the shutdown grace must be 0 or more seconds") }
        configuration.claimLease = try claimLease ?? settings.number("claim_lease") ?? defaults.claimLease
        guard (1...3600).contains(configuration.claimLease) else { throw CLIError("the claim lease must be from 1 to 3600 seconds, not \(configuration.claimLease)") }
        var designer = designerOptions
        designer.provider = designer.provider ?? settings.string("llm.provider")
        designer.baseURL = designer.baseURL ?? settings.string("llm.base_url")
        designer.model = designer.model ?? settings.string("llm.model")
        designer.timeout = try designer.timeout ?? settings.number("llm.timeout")
        designer.promptsDirectory = designer.promptsDirectory ?? settings.string("prompts_dir")
        designer.templatesDirectory = designer.templatesDirectory ?? settings.string("templates_dir")

        let database = try await storeOptions.openStore()
        if try await database.apiKeyCount() == 0 {
            let key = try await database.createAPIKey(name: "first key", now: SystemClock().now())
            writeLine("API key (shown once, keep it): \(key)")
        }
        let engine = try await storeOptions.engine(on: database, parkAfter: 1)
        let service = try WindFlowService(
            engine: engine, store: database, configuration: configuration, secrets: engine.runner.configuration.secrets, designer: try designer.setup(),
            logRedaction: ProcessLogging.redaction)
        let (host, path, provider) = (configuration.host, storeOptions.displayedLocation, designer.provider ?? "offline")
        try await service.run(handleSignals: true) { bound in
            writeLine("WindFlow listening on http://\(host):\(bound) (database \(path)); the editor is at /")
            writeLine("designer: \(provider)")
        }
        writeLine("WindFlow stopped")
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "Manage API keys for the service.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it (only its hash is stored).")
        @Option(help: "What the key is for.") var name = "cli"
        @OptionGroup var store: StoreOptions

        func run() async throws {
            await print(try store.openStore().createAPIKey(name: name, now: SystemClock().now()))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys' ids and names (the keys themselves are not stored).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            for key in try await store.openStore().apiKeys() { writeLine("\(key.id)  \(key.name)") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id (never the last one).")
        @Argument(help: "The key's id, from 'windflow apikey list'.") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            do {
                guard try await store.openStore().revokeAPIKey(id) else { throw CLIError("there is no API key '\(id)'") }
            } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
            writeLine("revoked \(id)")
        }
    }
}
