import Foundation
import Logging
import ServiceLifecycle
import WindFlowStore

/// Takes executions from the durable queue and runs them, `workers` at a time. A service beside the HTTP server: at
/// a graceful shutdown (SIGTERM) it takes no more executions, lets the ones in hand finish within the grace period,
/// then stops what still runs — it stays in the store and resumes at the next start.
public struct QueueWorkers: Service {
    let engine: WorkflowEngine
    let configuration: RuntimeConfiguration
    let events: EventDispatcher
    let logger: Logger

    public init(engine: WorkflowEngine, configuration: RuntimeConfiguration, events: EventDispatcher,
                logger: Logger = Logger(label: "windflow.queue")) {
        self.engine = engine
        self.configuration = configuration
        self.events = events
        self.logger = logger
    }

    public func run() async throws {
        try await recover()
        let draining = DrainFlag()
        // Each child answers whether it was the grace period's timer.
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<configuration.workers {
                group.addTask { await worker("worker-\(index)", draining: draining) }
            }
            // Cancelled (not shut down): the workers see the cancellation themselves.
            guard (try? await gracefulShutdown()) != nil else { return }
            draining.set()
            engine.signal.wake()
            logger.info("draining the queue", metadata: ["grace_seconds": "\(configuration.shutdownGrace)"])
            let grace = configuration.shutdownGrace
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(grace * 1e9))
                return true
            }
            var working = configuration.workers
            while working > 0, let wasTimer = await group.next() {
                if wasTimer {
                    logger.warning("grace period over: stopping the executions still running; they resume at the next start",
                                   metadata: ["running": "\(working)"])
                    group.cancelAll()
                    break
                }
                working -= 1
            }
            group.cancelAll()
        }
    }

    /// Executions a previous process left claimed, running or queued go back to the queue.
    func recover() async throws {
        try await engine.store.releaseAllClaims()
        for record in try await engine.store.unfinishedExecutions() {
            try await engine.store.requeue(record.id, now: engine.runner.clock.now())
        }
    }

    private func worker(_ name: String, draining: DrainFlag) async -> Bool {
        while !Task.isCancelled && !draining.isSet {
            let id: String?
            do {
                id = try await engine.store.claimNext(worker: name, now: engine.runner.clock.now())
            } catch {
                logger.error("could not take an execution from the queue", metadata: ["worker": "\(name)", "error": "\(error)"])
                id = nil
            }
            guard let id else {
                await engine.signal.wait(upTo: 0.25)
                continue
            }
            do {
                let result = try await engine.runner.run(id)
                if case .finished(.failed, _) = result { engine.signal.wake() }  // its error workflow, queued with the failure
                if case .finished = result {
                    // The transition that finished it also took it off the queue.
                    await events.executionEnded(id)
                    continue
                }
            } catch is CancellationError {
                // Stopped at shutdown: it stays in the store and resumes at the next start.
            } catch {
                logger.error("an execution stopped on an engine error; it stays unfinished in the store and resumes at the next start",
                             metadata: ["execution": "\(id)", "error": "\(error)"])
            }
            do { try await engine.store.release(id) } catch {
                logger.error("could not release an execution; it stays claimed until the next start releases every claim",
                             metadata: ["execution": "\(id)", "error": "\(error)"])
            }
        }
        return false
    }
}
