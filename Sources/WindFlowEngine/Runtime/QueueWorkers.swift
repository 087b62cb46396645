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
    /// What this process's workers do, for /metrics; its instance names them in the store (`<instance>/worker-N`),
    /// apart from those of other processes.
    let activity: WorkerActivity
    var instance: String { activity.instance }
    /// Whether the store is failing, so a lost database is logged once, not by every worker at every poll.
    let outage = StoreOutage()

    public init(engine: WorkflowEngine, configuration: RuntimeConfiguration, events: EventDispatcher,
                activity: WorkerActivity? = nil, logger: Logger = Logger(label: "windflow.queue")) {
        self.activity = activity ?? WorkerActivity(workers: configuration.workers)
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
                group.addTask { await worker(workerName(index), draining: draining) }
            }
            group.addTask { await heartbeat() }
            // Another process queued something (PostgreSQL's NOTIFY): an idle worker takes it now, not at its poll.
            if configuration.listens, let notifying = engine.store as? any QueueNotifications {
                group.addTask { [engine] in
                    for await _ in notifying.queueNotifications() { engine.signal.wake() }
                    return false
                }
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

    /// Executions a previous process left claimed (once their lease has ended), running or queued go back to the
    /// queue. The live claims of other processes sharing the store are left alone.
    func recover() async throws {
        let now = engine.runner.clock.now()
        try await engine.store.releaseClaimsAtStart(now: now)
        for record in try await engine.store.unfinishedExecutions() {
            try await engine.store.enqueueIfAbsent(record.id, now: now)
        }
    }

    func workerName(_ index: Int) -> String { "\(instance)/worker-\(index)" }

    /// Renews the workers' claims every third of the lease, until cancelled (after the workers have stopped). A
    /// renewal that fails is logged and tried again at the next beat; a claim whose lease runs out meanwhile may be
    /// taken by another worker.
    /// - Returns: false, as a worker does (it is not the grace period's timer).
    private func heartbeat() async -> Bool {
        let beat = configuration.claimLease / 3
        while !Task.isCancelled {
            do { try await Task.sleep(nanoseconds: UInt64(beat * 1e9)) } catch { break }
            let until = engine.runner.clock.now() + configuration.claimLease
            for index in 0..<configuration.workers {
                do { _ = try await engine.store.renewClaims(worker: workerName(index), until: until) } catch {
                    logger.error("could not renew a worker's claims; they may pass to another worker when the lease ends",
                                 metadata: ["worker": "\(workerName(index))", "error": "\(error)"])
                }
            }
        }
        return false
    }

    private func worker(_ name: String, draining: DrainFlag) async -> Bool {
        var failures = 0
        while !Task.isCancelled && !draining.isSet {
            let id: String?
            do {
                let now = engine.runner.clock.now()
                id = try await engine.store.claimNext(worker: name, now: now, leaseUntil: now + configuration.claimLease)
                failures = 0
                if outage.answered() { logger.notice("the store answers again; the workers take executions again") }
            } catch {
                // The database lost (or any store error): logged once for the process, then asked again with backoff.
                failures += 1
                if outage.failed() {
                    logger.error("could not take an execution from the queue; retrying with backoff (up to 5 s) until the store answers",
                                 metadata: ["worker": "\(name)", "error": "\(error)"])
                }
                await engine.signal.wait(upTo: StoreOutage.backoff(after: failures))
                continue
            }
            guard let id else {
                await engine.signal.wait(upTo: 0.25)
                continue
            }
            activity.began()
            defer { activity.ended() }
            do {
                let result = try await ClaimFence.$worker.withValue(name) { try await engine.runner.run(id) }
                if case .finished(.failed, _) = result { engine.signal.wake() }  // its error workflow, queued with the failure
                if case .finished = result {
                    // The transition that finished it also took it off the queue.
                    await events.executionEnded(id)
                    continue
                }
            } catch is CancellationError {
                // Stopped at shutdown: it stays in the store and resumes at the next start.
            } catch let lost as ClaimLost {
                // Its lease ran out while this process could not renew it, and another worker resumed it from the
                // store: that worker goes on; nothing more is done here, and its claim is left alone.
                logger.warning("an execution passed to another worker while this one could not reach the store; stopped here",
                               metadata: ["execution": "\(id)", "worker": "\(lost.worker)"])
                continue
            } catch {
                logger.error("an execution stopped on an engine error; it stays unfinished in the store and resumes at the next start",
                             metadata: ["execution": "\(id)", "error": "\(error)"])
            }
            do { try await ClaimFence.$worker.withValue(name) { try await engine.store.release(id) } } catch {
                logger.error("could not release an execution; it stays claimed until its lease ends",
                             metadata: ["execution": "\(id)", "error": "\(error)"])
            }
        }
        return false
    }
}
