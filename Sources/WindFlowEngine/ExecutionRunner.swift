import Foundation
import WindFlowCore
import WindFlowStore

/// Drives one execution: replays its stored events, then performs the state machine's actions — running node
/// attempts concurrently, arming timers — committing every transition to the store before anything depends on it.
public struct ExecutionRunner: Sendable {
    public let store: any EngineStorage
    public let executors: ExecutorRegistry
    public let clock: any WallClock
    public let configuration: EngineConfiguration
    public let observer: ExecutionObserver?
    let registry: NodeRegistry

    public init(
        store: any EngineStorage, executors: ExecutorRegistry = .standard, clock: any WallClock = SystemClock(),
        configuration: EngineConfiguration = EngineConfiguration(), observer: ExecutionObserver? = nil,
        registry: NodeRegistry = .standard
    ) {
        self.store = store
        self.executors = executors
        self.clock = clock
        self.configuration = configuration
        self.observer = observer
        self.registry = registry
    }

    /// The timer row that wakes a parked run at its workflow timeout.
    static let timeoutTimer = "(workflow timeout)"

    /// What a child task of the run reports.
    enum Child: Sendable {
        case node(NodeKey, attempt: Int, AttemptResult)
        case timer(NodeKey, at: Double)
        case cancelCheck
        case workflowTimeout
    }

    /// Runs (or resumes) execution `id` until it ends or parks.
    /// - Throws: ``EngineError`` when the execution or its workflow cannot be found, or the store fails.
    public func run(_ id: String) async throws -> RunResult {
        guard let snapshot = try await store.runSnapshot(id) else { throw EngineError("there is no execution '\(id)'") }
        let record = snapshot.execution
        guard let stored = snapshot.workflow else {
            throw EngineError("execution \(id) refers to workflow \(record.workflowID) version \(record.workflowVersion), which is not stored")
        }
        // Secrets in the store add to (and override) those the process was given.
        let secrets = configuration.secrets.merging(snapshot.secrets) { _, stored in stored }
        var run = RunState(
            machine: ExecutionStateMachine(workflow: stored.workflow, executionID: id, registry: registry), record: record,
            redactor: Redactor(secrets: secrets, derived: DerivedSecrets()), secrets: secrets)
        let storedEvents = snapshot.events
        let history = try storedEvents.enumerated().map { index, text -> ExecutionEvent in
            guard let value = try? JSONValue.parse(text), let event = ExecutionEvent(jsonValue: value)
            else { throw EngineError("event \(index + 1) of execution \(id) cannot be read; the execution cannot be resumed safely") }
            return event
        }
        for event in history { _ = run.machine.handle(event) }
        run.storedEvents = storedEvents.count
        if run.machine.status.isTerminal {
            try await store.release(id)  // queued again after it ended (a stray timer): nothing to do, off the queue
            return .finished(run.machine.status, run.machine.error)
        }
        // A cancel asked for while the execution was queued or parked takes effect before anything runs.
        if snapshot.cancelRequested {
            try await commit(&run, event: .cancelled(at: clock.now()))
            try await flush(&run)
            return .finished(.cancelled, nil)
        }

        var actions: [ExecutionAction]
        if history.isEmpty {
            let missing = executors.missingExecutors(in: stored.workflow, registry: registry)
            guard missing.isEmpty else {
                let message = "node types not available yet: \(missing.joined(separator: ", ")); this run cannot start"
                var transition = Transition()
                transition.status = .failed
                transition.error = (.configuration, message, nil)
                transition.finishedAt = clock.now()
                transition.dequeue = true
                try await store.commit([transition], execution: id, workflowID: record.workflowID)
                return .finished(.failed, ExecutionError(kind: .configuration, message: message))
            }
            actions = try await commit(&run, event: .started(trigger: record.triggerNode, input: record.input, at: clock.now()))
        } else {
            // Attempts issued and never finished were interrupted: they run again with the next attempt number and
            // the same idempotency key. (One issued in the instant before a crash may not have started; it still
            // counts as an attempt, so attempt numbers are never reused.) A restart from a step has issued nothing
            // yet: its first attempts start as they are.
            let running = run.machine.runningAttempts
            let fresh = record.restartedFrom != nil && !history.contains { if case .nodeFinished = $0 { return true } else { return false } }
                && !history.contains { if case .resumed = $0 { return true } else { return false } }
            let interrupted = fresh ? [] : Array(running.keys)
            actions = try await commit(&run, event: .resumed(interrupted: interrupted, at: clock.now()))
            if fresh { for (key, attempt) in running { actions.append(.run(key, attempt: attempt)) } }
            for timer in run.machine.pendingTimers { actions.append(.park(timer.key, until: timer.at)) }
            // Timers the state no longer has (iterations of an abandoned loop) would wake the run for nothing.
            try await store.clearTimers(of: id, except: Set(run.machine.pendingTimers.map { $0.key.description } + [Self.timeoutTimer]))
        }
        return try await drive(&run, actions: actions)
    }

    private func drive(_ run: inout RunState, actions initial: [ExecutionAction]) async throws -> RunResult {
        try await withThrowingTaskGroup(of: Child.self) { group in
            var pending = initial
            var timers: [NodeKey: Double] = [:]
            var attempts: [NodeKey: AttemptControl] = [:]
            group.addTask { [clock, configuration] in
                try await clock.sleep(until: clock.now() + configuration.cancelPollInterval)
                return .cancelCheck
            }
            let deadline = run.machine.workflow.settings.timeout.map { (run.record.startedAt ?? clock.now()) + $0 }
            if let deadline {
                group.addTask { [clock] in
                    try await clock.sleep(until: deadline)
                    return .workflowTimeout
                }
            }
            var inline: [Child] = []
            while true {
                for action in pending {
                    switch action {
                    case .run(let key, let attempt):
                        let prepared = prepare(run.machine, key: key, attempt: attempt, record: run.record, secrets: run.secrets,
                                               redactor: run.redactor)
                        observer?(.nodeStarted(key, attempt: attempt))
                        if prepared.executor?.isInstant ?? true {
                            // Pure computation (or an outcome known without running): no task, no timeout race.
                            inline.append(.node(key, attempt: attempt, await perform(prepared, control: nil)))
                            continue
                        }
                        // Side effects start here: what led to them is stored first.
                        try await flush(&run)
                        let control = AttemptControl()
                        attempts[key] = control
                        group.addTask { [self] in
                            .node(key, attempt: attempt, await perform(prepared, control: control))
                        }
                    case .retry(let key, let attempt, let at):
                        timers[key] = at
                        observer?(.retryScheduled(key, attempt: attempt, at: at))
                        group.addTask { [clock] in
                            try await clock.sleep(until: at)
                            return .timer(key, at: at)
                        }
                    case .park(let key, let until):
                        // Always armed: if the run parks, cancelAll drops the sleep with the rest.
                        timers[key] = until
                        observer?(.waiting(key, until: until))
                        group.addTask { [clock] in
                            try await clock.sleep(until: until)
                            return .timer(key, at: until)
                        }
                    case .cancel(let keys):
                        for key in keys { attempts[key]?.cancel() }
                    case .skip(let key):
                        observer?(.nodeSkipped(key))
                    case .settled:
                        break  // the attempt's end was reported as it was committed
                    case .completed(let key, _):
                        observer?(.nodeFinished(key, attempt: run.lastAttempt[key] ?? 1, status: .succeeded, seconds: 0, error: nil))
                    case .finish(let status, let error):
                        try await flush(&run)
                        observer?(.finished(status, error))
                        group.cancelAll()
                        return .finished(status, error)
                    }
                }
                pending = []
                if inline.isEmpty, run.machine.runningAttempts.isEmpty, let next = timers.values.min(),
                    min(next, deadline ?? .infinity) - clock.now() > configuration.parkAfter
                {
                    try await flush(&run)
                    group.cancelAll()
                    // A parked run still ends at its workflow timeout: it wakes then (its timer row says so too).
                    return .parked(until: min(next, deadline ?? .infinity))
                }
                let next: Child?
                if inline.isEmpty {
                    try await flush(&run)
                    next = try await group.next()
                } else {
                    next = inline.removeFirst()
                }
                guard let child = next else {
                    try await flush(&run)
                    return .finished(run.machine.status, run.machine.error)
                }
                switch child {
                case .node(let key, let attempt, let result):
                    attempts[key] = nil
                    pending = try await commitAttempt(&run, key: key, attempt: attempt, result: result)
                case .timer(let key, let at):
                    guard timers[key] == at else { continue }
                    timers[key] = nil
                    pending = try await commit(&run, event: .timerFired(key, at: clock.now()))
                case .cancelCheck:
                    if try await store.isCancelRequested(run.record.id) {
                        pending = try await commit(&run, event: .cancelled(at: clock.now()))
                    } else {
                        group.addTask { [clock, configuration] in
                            try await clock.sleep(until: clock.now() + configuration.cancelPollInterval)
                            return .cancelCheck
                        }
                    }
                case .workflowTimeout:
                    pending = try await commit(&run, event: .timedOut(at: clock.now()))
                }
            }
        }
    }
}

/// The state of one run in progress, owned by the runner's task.
struct RunState {
    var machine: ExecutionStateMachine
    var record: ExecutionRecord
    let redactor: Redactor
    /// Values for `{{ secrets.NAME }}` in this run.
    let secrets: [String: String]
    /// The latest attempt number of each node, for node runs that end without an attempt of their own.
    var lastAttempt: [NodeKey: Int] = [:]
    /// Events stored so far; the next one gets this number plus one.
    var storedEvents = 0
    /// Transitions handled but not stored yet (see ``ExecutionRunner/flush(_:)``).
    var unflushed: [Transition] = []
}

/// Lets the runner stop one attempt without cancelling the others.
final class AttemptControl: @unchecked Sendable {
    // Safe: `continuation` and `cancelled` are only touched while holding `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var cancelled = false

    func cancel() {
        lock.withLock {
            cancelled = true
            continuation?.resume()
            continuation = nil
        }
    }

    /// Returns once ``cancel()`` is called, or when the calling task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                lock.withLock {
                    if cancelled || Task.isCancelled { continuation.resume() } else { self.continuation = continuation }
                }
            }
        } onCancel: {
            lock.withLock {
                continuation?.resume()
                continuation = nil
                cancelled = true
            }
        }
    }
}
