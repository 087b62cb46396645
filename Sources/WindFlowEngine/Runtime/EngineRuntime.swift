import Logging
import ServiceLifecycle

/// The engine's long-lived parts, run as services beside the HTTP server (in its service group, so SIGTERM drains
/// them after the server stops taking requests): the queue workers and the trigger timers. The event triggers are
/// shared with the API, which publishes events to them.
public struct EngineRuntime: Sendable {
    public let engine: WorkflowEngine
    public let configuration: RuntimeConfiguration
    public let events: EventDispatcher
    /// What this process's queue workers do (for /metrics).
    public let activity: WorkerActivity

    public init(engine: WorkflowEngine, configuration: RuntimeConfiguration) {
        self.engine = engine
        self.configuration = configuration
        events = EventDispatcher(engine: engine)
        activity = WorkerActivity(workers: configuration.workers)
    }

    /// In the order they start; a service group stops them in the reverse order (timers first, then the workers).
    public var services: [any Service] {
        [QueueWorkers(engine: engine, configuration: configuration, events: events, activity: activity),
         TriggerTimers(engine: engine, configuration: configuration)]
    }

    /// Runs the services on their own, with no HTTP server (`windflow worker`): until SIGTERM or SIGINT, which drain
    /// them as the server's service group does.
    public func runUntilSignalled(logger: Logger = Logger(label: "windflow.worker")) async throws {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
