import Foundation
import Hummingbird
import WindFlowCore
import WindFlowDesigner
import WindFlowEngine
import WindFlowStore

/// `windflow serve`: the HTTP API, webhooks and the workers that run queued executions, in one process.
public struct WindFlowService: Sendable {
    public let engine: WorkflowEngine
    public let configuration: ServerConfiguration
    public let secrets: [String: String]
    /// The designer behind `/api/v1/designs` (the offline planner unless a model is configured).
    public let designer: DesignerSetup

    public init(engine: WorkflowEngine, configuration: ServerConfiguration, secrets: [String: String] = [:], designer: DesignerSetup? = nil) throws {
        self.engine = engine
        self.configuration = configuration
        self.secrets = secrets
        self.designer = try designer ?? DesignerSetup.offline()
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGTERM / SIGINT). Executions in flight
    /// when it stops stay in the store and resume at the next start.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(handleSignals: Bool = false, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let signal = WakeSignal()
        let events = EventDispatcher(engine: engine, wake: { signal.wake() })
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: NotFoundMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        router.get("healthz") { _, _ in ServiceResponse.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            ServiceResponse.json(["status": "ready", "queue_depth": .int(try engine.store.queueDepth())])
        }
        MetricsRoute(store: engine.store).register(on: router)
        EditorRoutes(editorDirectory: configuration.editorDirectory).register(on: router)
        APIRoutes(engine: engine, configuration: configuration, wake: { signal.wake() }, events: events, designer: designer,
                  streams: StreamLimiter(maxPerKey: configuration.limits.maxStreamsPerKey)).register(on: router)
        WebhookRoutes(engine: engine, configuration: configuration, secrets: secrets, wake: { signal.wake() }).register(on: router)
        let limits = configuration.limits
        let app = Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [HeaderLimitHandler(limits: limits)],
                idleTimeout: .milliseconds(Int64(limits.idleTimeout * 1000)),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                                                maxHeaderFieldCount: limits.maxHeaderCount))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "WindFlow"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) })
        let workers = QueueWorkers(engine: engine, configuration: configuration, signal: signal, events: events)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                if handleSignals { try await app.runService() } else { try await app.run() }
            }
            group.addTask { await workers.run() }
            _ = try await group.next()
            // Stopping (SIGTERM / SIGINT): take no more work and let the nodes running now finish within the grace
            // period; what is still running then is cancelled and stays in the store, to resume at the next start.
            workers.drain()
            let grace = configuration.shutdownGrace
            group.addTask { try await Task.sleep(nanoseconds: UInt64(grace * 1e9)) }
            _ = try? await group.next()
            group.cancelAll()
        }
    }
}
