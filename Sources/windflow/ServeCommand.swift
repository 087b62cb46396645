import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowEngine
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

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Executions run at the same time.") var workers = 4
    @OptionGroup var store: StoreOptions
    @OptionGroup(title: "Designer (POST /api/v1/designs)") var designerOptions: DesignerOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be from 1 to 256") }
    }

    func run() async throws {
        let database = try store.openStore()
        if try database.apiKeyCount() == 0 {
            let key = try database.createAPIKey(name: "first key", now: Date().timeIntervalSince1970)
            writeLine("API key (shown once, keep it): \(key)")
        }
        let engine = try store.engine(parkAfter: 1)
        let service = try WindFlowService(
            engine: engine, configuration: ServerConfiguration(host: host, port: port, workers: workers),
            secrets: engine.runner.configuration.secrets, designer: try designerOptions.setup())
        try await service.run(handleSignals: true) { [host] bound in
            writeLine("WindFlow listening on http://\(host):\(bound) (database \(store.resolvedPath))")
            writeLine("designer: \(designerOptions.provider ?? ProcessInfo.processInfo.environment["WINDFLOW_LLM_PROVIDER"] ?? "offline")")
        }
    }
}

struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "Manage API keys for the service.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it (only its hash is stored).")
        @Option(help: "What the key is for.") var name = "cli"
        @OptionGroup var store: StoreOptions

        func run() throws {
            print(try store.openStore().createAPIKey(name: name, now: Date().timeIntervalSince1970))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys' ids and names (the keys themselves are not stored).")
        @OptionGroup var store: StoreOptions

        func run() throws {
            for key in try store.openStore().apiKeys() { writeLine("\(key.id)  \(key.name)") }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id (never the last one).")
        @Argument(help: "The key's id, from 'windflow apikey list'.") var id: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            do {
                guard try store.openStore().revokeAPIKey(id) else { throw CLIError("there is no API key '\(id)'") }
            } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
            writeLine("revoked \(id)")
        }
    }
}
