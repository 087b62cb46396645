import Foundation
import Logging
import ServiceLifecycle
import WindFlowStore

/// Every `timerInterval`: fires due schedules and quiet watched files, and puts back in the queue the parked
/// executions whose timers are due (waits, retry delays). A service beside the HTTP server; it stops at once at a
/// graceful shutdown (what it would have started is still due at the next start).
public struct TriggerTimers: Service {
    let engine: WorkflowEngine
    let configuration: RuntimeConfiguration
    let logger: Logger

    public init(engine: WorkflowEngine, configuration: RuntimeConfiguration, logger: Logger = Logger(label: "windflow.triggers")) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let scheduler = Scheduler(engine: engine)
        let files = FileWatcher(engine: engine)
        // Stopping (cancelled, or shut down) is a normal end, not an error of the service group.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick(scheduler, files)
                try? await Task.sleep(nanoseconds: UInt64(configuration.timerInterval * 1e9))
            }
        }
    }

    /// One look at schedules, watched files and timers; a failure of one is logged and the others still run.
    func tick(_ scheduler: Scheduler, _ files: FileWatcher) async {
        do { try await scheduler.tick() } catch {
            logger.error("the schedules could not be looked at", metadata: ["error": "\(error)"])
        }
        do { try await files.tick() } catch {
            logger.error("the watched files could not be looked at", metadata: ["error": "\(error)"])
        }
        do {
            let now = engine.runner.clock.now()
            for timer in try await engine.store.dueTimers(now: now, limit: 1000) {
                try await engine.store.enqueueIfAbsent(timer.execution, now: now)
                engine.signal.wake()
            }
        } catch {
            logger.error("due timers could not be queued", metadata: ["error": "\(error)"])
        }
    }
}
