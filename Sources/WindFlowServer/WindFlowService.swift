import Foundation
import Hummingbird
import Logging
import WindFlowCore
import WindFlowDesigner
import WindFlowEngine
import WindFlowStore

/// `windflow serve`: the HTTP API, webhooks and the workers that run queued executions, in one process.
public struct WindFlowService: Sendable {
    public let engine: WorkflowEngine
    /// Everything the service reads and writes; the engine's store (``WorkflowEngine/store``) is the same one, seen
    /// through what the engine needs of it.
    public let store: any WindFlowStorage
    public let configuration: ServerConfiguration
    public let secrets: [String: String]
    /// The designer behind `/api/v1/designs` (the offline planner unless a model is configured).
    public let designer: DesignerSetup
    /// The secrets the process's logs redact, kept up to date as secrets are set over the API.
    public let logRedaction: LogRedaction
    let logger = Logger(label: "windflow.http")

    public init(engine: WorkflowEngine, store: any WindFlowStorage, configuration: ServerConfiguration, secrets: [String: String] = [:], designer: DesignerSetup? = nil,
                logRedaction: LogRedaction = LogRedaction()) throws {
        self.engine = engine
        self.store = store
        self.logRedaction = logRedaction
        self.configuration = configuration
        self.secrets = secrets
        self.designer = try designer ?? DesignerSetup.offline()
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGTERM / SIGINT). Executions in flight
    /// when it stops stay in the store and resume at the next start.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(handleSignals: Bool = false, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let runtime = EngineRuntime(engine: engine, configuration: configuration.runtime)
        await logRedaction.update(secrets: secrets.merging(try store.secrets()) { _, stored in stored })
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: NotFoundMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        router.get("healthz") { _, _ in ServiceResponse.json(["status": "ok"]) }
        // Ready means the store answers: a load balancer sends nothing to a node whose database is unreachable.
        router.get("readyz") { _, _ in
            do {
                return ServiceResponse.json(["status": "ready", "queue_depth": .int(try await store.queueDepth())])
            } catch {
                return ServiceResponse.json(["status": "unavailable", "reason": .string("the store does not answer: \(error)")], status: .serviceUnavailable)
            }
        }
        MetricsRoute(store: store, activity: runtime.activity).register(on: router)
        EditorRoutes(editorDirectory: configuration.editorDirectory).register(on: router)
        APIRoutes(engine: engine, configuration: configuration, events: runtime.events, designer: designer, secrets: secrets,
                  logRedaction: logRedaction,
                  streams: StreamLimiter(maxPerKey: configuration.limits.maxStreamsPerKey), store: store).register(on: router)
        WebhookRoutes(engine: engine, configuration: configuration, secrets: secrets, store: store).register(on: router)
        let limits = configuration.limits
        // The queue workers and trigger timers run in the server's service group: at SIGTERM / SIGINT the server
        // stops taking requests first, then the workers take no more executions and give the running ones the grace
        // period; what still runs then is stopped, stays in the store and resumes at the next start.
        let app = Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [HeaderLimitHandler(limits: limits)],
                idleTimeout: .milliseconds(Int64(limits.idleTimeout * 1000)),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                                                maxHeaderFieldCount: limits.maxHeaderCount))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "WindFlow"),
            services: runtime.services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        if handleSignals { try await app.runService() } else { try await app.run() }
    }
}
