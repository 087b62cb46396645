import Foundation
import WindFlowCore
import WindFlowStore

/// One attempt ready to run: its executor and context, or an outcome known without running (a bad expression).
struct PreparedAttempt: Sendable {
    var key: NodeKey
    var attempt: Int
    var executor: (any NodeExecutor)?
    var context: NodeContext?
    var immediate: NodeOutcome?
    var timeout: Double
    var input: JSONValue
    let logs: LogCollector
}

/// What an attempt produced, with what is recorded of it.
struct AttemptResult: Sendable {
    var outcome: NodeOutcome
    var input: JSONValue
    var logs: [String]
    var startedAt: Double
    var finishedAt: Double
}

/// Collects an attempt's log lines from whatever thread the executor logs on.
final class LogCollector: @unchecked Sendable {
    // Safe: `lines` is only touched while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    private let limit = 1000

    func append(_ line: String) {
        lock.withLock { if lines.count < limit { lines.append(line) } }
    }

    var all: [String] { lock.withLock { lines } }
}

extension ExecutionRunner {
    /// Evaluates the node's configuration in its scope and picks its executor.
    func prepare(_ machine: ExecutionStateMachine, key: NodeKey, attempt: Int, record: ExecutionRecord, secrets: [String: String],
                 redactor: Redactor) -> PreparedAttempt {
        let logs = LogCollector()
        guard let node = machine.node(key) else {
            return PreparedAttempt(key: key, attempt: attempt, immediate: .failed(NodeFailure(.internal, "unknown node \(key)")),
                                   timeout: 1, input: [:], logs: logs)
        }
        var prepared = PreparedAttempt(key: key, attempt: attempt, timeout: node.effectiveTimeout, input: [:], logs: logs)
        guard let executor = executors.executor(for: node.type) else {
            prepared.immediate = .failed(NodeFailure(.configuration, "node type \(node.type) is not available yet", retryable: false))
            return prepared
        }
        var roots = machine.scopeRoots(for: key)
        roots["env"] = .object(configuration.environment.mapValues(JSONValue.string))
        roots["secrets"] = .object(secrets.mapValues(JSONValue.string))
        roots["execution"] = [
            "id": .string(record.id), "idempotency_key": .string("\(record.id):\(key)"), "attempt": .int(attempt),
            "started_at": .double(record.startedAt ?? clock.now()), "trigger_type": .string(record.triggerType),
        ]
        roots["workflow"] = ["id": .string(record.workflowID), "name": .string(record.workflowName), "version": .int(record.workflowVersion)]
        let scope = ExpressionScope(roots, derivedSecrets: redactor.derived)
        var input: [String: JSONValue] = [:]
        for (name, value) in node.configuration {
            if executor.rawParameters.contains(name) {
                input[name] = value
                continue
            }
            do {
                input[name] = try Self.render(value, scope: scope)
            } catch {
                prepared.immediate = .failed(.expression(error, parameter: name))
                return prepared
            }
        }
        prepared.input = .object(input)
        prepared.executor = executor
        prepared.context = NodeContext(
            key: key, node: node, attempt: attempt, executionID: record.id, idempotencyKey: "\(record.id):\(key)",
            input: input, scope: scope, incoming: machine.incomingOutputs(for: key), now: clock.now(),
            log: { [observer] line in
                logs.append(line)
                observer?(.log(key, redactor.redact(line)))
            })
        return prepared
    }

    /// Renders every string in `value` as a template.
    static func render(_ value: JSONValue, scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        switch value {
        case .string(let text):
            guard Template.containsPlaceholder(text) else { return value }
            return try Template.parse(text).render(in: scope)
        case .array(let elements):
            var rendered: [JSONValue] = []
            for element in elements { rendered.append(try render(element, scope: scope)) }
            return .array(rendered)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (key, member) in members { rendered[key] = try render(member, scope: scope) }
            return .object(rendered)
        default:
            return value
        }
    }

    /// Runs the attempt, stopping it at its timeout or when the runner cancels it.
    func perform(_ prepared: PreparedAttempt, control: AttemptControl?) async -> AttemptResult {
        let started = clock.now()
        guard let executor = prepared.executor, let context = prepared.context else {
            return AttemptResult(outcome: prepared.immediate ?? .failed(NodeFailure(.internal, "nothing to run")),
                                 input: prepared.input, logs: [], startedAt: started, finishedAt: clock.now())
        }
        guard let control else {
            let outcome = await executor.execute(context)
            return AttemptResult(outcome: outcome, input: prepared.input, logs: prepared.logs.all, startedAt: started,
                                 finishedAt: clock.now())
        }
        let timeout = prepared.timeout
        let outcome = await withTaskGroup(of: NodeOutcome?.self) { attempt in
            attempt.addTask { await executor.execute(context) }
            attempt.addTask { [clock] in
                do { try await clock.sleep(until: started + timeout) } catch { return nil }
                return .failed(NodeFailure(.timeout, "the node ran longer than its timeout (\(JSONValue.format(timeout)) s) and was stopped"))
            }
            attempt.addTask {
                await control.wait()
                return Task.isCancelled ? nil : .failed(NodeFailure(.cancelled, "the execution ended while the node ran"))
            }
            var first: NodeOutcome? = nil
            while first == nil, let next = await attempt.next() { first = next }
            attempt.cancelAll()
            return first ?? .failed(NodeFailure(.cancelled, "the attempt was stopped"))
        }
        return AttemptResult(outcome: outcome, input: prepared.input, logs: prepared.logs.all, startedAt: started,
                             finishedAt: clock.now())
    }

    /// The outcome with any output over the limit replaced by a preview (recorded in the node's log).
    func capped(_ outcome: NodeOutcome, logs: inout [String]) -> NodeOutcome {
        let limit = configuration.maxOutputBytes
        func cap(_ value: JSONValue) -> JSONValue {
            let text = value.jsonText
            guard text.utf8.count > limit else { return value }
            logs.append("output of \(text.utf8.count) bytes is over the \(limit)-byte limit; only a preview is kept")
            return ["truncated": true, "original_bytes": .int(text.utf8.count), "preview": .string(String(text.prefix(1000)))]
        }
        switch outcome {
        case .succeeded(let output, let branch): return .succeeded(cap(output), branch: branch)
        case .failed(var failure):
            failure.output = failure.output.map(cap)
            return .failed(failure)
        case .iterate(let items, let parallel):
            guard case .array(let capped) = cap(.array(items)) else {
                return .failed(NodeFailure(.validation, "the loop's items are larger than \(limit) bytes", retryable: false))
            }
            return .iterate(capped, parallel: parallel)
        default: return outcome
        }
    }

    /// Commits an attempt's end: its node run and the event, then whatever the state machine decided.
    func commitAttempt(_ run: inout RunState, key: NodeKey, attempt: Int, result original: AttemptResult) async throws -> [ExecutionAction] {
        var result = original
        result.outcome = capped(original.outcome, logs: &result.logs)
        let node = run.machine.node(key)
        var record = NodeRunRecord(
            nodeKey: key.description, nodeID: key.node, nodeType: node?.type ?? "", attempt: attempt, status: .succeeded,
            input: run.redactor.redact(result.input), startedAt: result.startedAt, finishedAt: result.finishedAt,
            durationMS: (result.finishedAt - result.startedAt) * 1000)
        var status = NodeRunStatus.succeeded, errorText: String? = nil
        switch result.outcome {
        case .succeeded(let output, _):
            record.output = run.redactor.redact(output)
        case .failed(let failure):
            status = failure.kind == .cancelled ? .cancelled : .failed
            record.errorKind = failure.kind
            record.errorMessage = run.redactor.redact(failure.message)
            record.output = failure.output.map(run.redactor.redact)
            record.errorDetails = failure.details.isEmpty ? nil : failure.details
            errorText = record.errorMessage
        case .wait(let until):
            status = .waiting
            record.output = ["until": .string(ExecutionStateMachine.iso8601(until))]
        case .iterate(let items, _):
            status = .iterating
            record.output = ["items": .int(items.count)]
        case .stop(let succeeded, let message):
            status = succeeded ? .succeeded : .failed
            record.output = ["message": .string(run.redactor.redact(message))]
            if !succeeded { (record.errorKind, record.errorMessage) = (.stopped, message) }
        }
        record.status = status
        let lines = result.logs.map(run.redactor.redact)
        record.logTail = lines.isEmpty ? nil : lines.suffix(50).joined(separator: "\n")
        observer?(.nodeFinished(key, attempt: attempt, status: status, seconds: result.finishedAt - result.startedAt, error: errorText))
        run.lastAttempt[key] = attempt
        return try await commit(&run, event: .nodeFinished(key, attempt: attempt, outcome: result.outcome, at: result.finishedAt)) {
            transition in
            transition.nodeRuns.insert(record, at: 0)
            transition.logs = lines.map { LogRecord(nodeKey: key.description, at: result.finishedAt, level: "info", message: $0) }
        }
    }

    /// Applies `event` to the state machine and commits the event with every effect of the resulting actions, in one
    /// transaction.
    @discardableResult
    func commit(_ run: inout RunState, event original: ExecutionEvent, extra: (inout Transition) -> Void = { _ in }) async throws -> [ExecutionAction] {
        // The machine sees exactly what is stored: secrets hidden in payloads, structure untouched.
        let event = run.redactor.redact(original)
        let before = run.machine
        let actions = run.machine.handle(event)
        let now = event.at
        var transition = Transition(event: event.jsonValue.jsonText)
        run.storedEvents += 1
        transition.sequence = run.storedEvents
        extra(&transition)
        func nodeRun(_ key: NodeKey, attempt: Int, status: NodeRunStatus) -> NodeRunRecord {
            NodeRunRecord(nodeKey: key.description, nodeID: key.node, nodeType: run.machine.node(key)?.type ?? "",
                          attempt: attempt, status: status)
        }
        switch event {
        case .started:
            transition.startedAt = now
            transition.dequeue = true
            run.record.startedAt = run.record.startedAt ?? now
            if let limit = run.machine.workflow.settings.timeout { transition.setTimers.append((Self.timeoutTimer, now + limit)) }
        case .timerFired(let key, _):
            transition.clearTimers.append(key.description)
        default:
            break
        }
        for action in actions {
            switch action {
            case .run(let key, let attempt):
                // The attempt is durable through the event just stored (replay shows it issued); its node run is
                // written when it ends, which keeps every transition to one row per node.
                run.lastAttempt[key] = attempt
            case .skip(let key):
                transition.nodeRuns.append(nodeRun(key, attempt: 0, status: .skipped))
            case .settled:
                break  // stored as the node run of the attempt (or the completion) that settled it
            case .retry(let key, _, let at), .park(let key, let at):
                transition.setTimers.append((key.description, at))
            case .completed(let key, let output):
                var record = nodeRun(key, attempt: run.lastAttempt[key] ?? 1, status: .succeeded)
                record.output = run.redactor.redact(output)
                record.finishedAt = now
                transition.nodeRuns.append(record)
            case .cancel(let keys):
                for key in keys {
                    var record = nodeRun(key, attempt: before.runningAttempts[key] ?? run.lastAttempt[key] ?? 1, status: .cancelled)
                    record.finishedAt = now
                    transition.nodeRuns.append(record)
                }
            case .finish(let status, let error):
                transition.status = status
                transition.finishedAt = now
                if let error {
                    transition.error = (error.kind, run.redactor.redact(error.message), error.node?.description)
                }
                if status == .failed {
                    switch try await errorWorkflowFollowUp(run, error: error, at: now) {
                    case .success(let followUp): transition.followUp = followUp
                    case .failure(let problem):
                        // Kept in the failed run's log, where whoever looks into the failure reads it.
                        transition.logs.append(LogRecord(nodeKey: nil, at: now, level: "warning", message: problem.description))
                        observer?(.log(NodeKey("error_workflow"), problem.description))
                    }
                }
            }
        }
        if transition.status == nil, run.machine.status != run.record.status {
            transition.status = run.machine.status
        }
        if let status = transition.status { run.record.status = status }
        run.unflushed.append(transition)
        return actions
    }

    /// Stores the transitions handled since the last flush, in one transaction. Called before anything outside the
    /// run can depend on them: before an attempt with side effects starts, before the run waits, and when it ends or
    /// parks. Instant nodes (pure computation) in between are re-computed identically if the process stops first.
    func flush(_ run: inout RunState) async throws {
        guard !run.unflushed.isEmpty else { return }
        try await store.commit(run.unflushed, execution: run.record.id, workflowID: run.record.workflowID)
        run.unflushed.removeAll(keepingCapacity: true)
    }
}

extension ExecutionRunner {
    /// The failed run's error workflow, if its workflow names one that is stored: started from its event trigger (or
    /// manual trigger) with the failure as input.
    /// - Returns: The follow-up (nil when the workflow names none), or why the one it names cannot start.
    func errorWorkflowFollowUp(_ run: RunState, error: ExecutionError?, at now: Double) async throws -> Result<FollowUp?, EngineError> {
        guard let name = run.machine.workflow.settings.errorWorkflow, name != run.record.workflowName else { return .success(nil) }
        guard let handler = try await store.workflow(name, version: nil) else {
            return .failure(EngineError("error workflow '\(name)' is not stored; nothing was started"))
        }
        // The checks of every start: an enabled trigger, and a version that can run here.
        let triggers = handler.workflow.nodes.filter { !$0.disabled && (registry.type($0.type)?.isTrigger ?? false) }
        guard let trigger = triggers.first(where: { $0.type == "trigger.event" }) ?? triggers.first(where: { $0.type == "trigger.manual" })
            ?? triggers.first
        else {
            return .failure(EngineError("error workflow '\(name)' has no enabled trigger; nothing was started"))
        }
        let problems = Validator().validate(handler.workflow).errors.count
        let missing = executors.missingExecutors(in: handler.workflow)
        guard problems == 0, missing.isEmpty else {
            let why = problems > 0 ? "is not valid (\(problems) error\(problems == 1 ? "" : "s"))"
                : "uses node types that cannot run here: \(missing.joined(separator: ", "))"
            return .failure(EngineError("error workflow '\(name)' \(why); nothing was started"))
        }
        var input: [String: JSONValue] = [
            "event": "execution.failed", "workflow": .string(run.record.workflowName), "execution_id": .string(run.record.id),
            "error": .string(run.redactor.redact(error?.message ?? "")), "occurred_at": .string(ExecutionStateMachine.iso8601(now)),
        ]
        if let node = error?.node { input["failed_node"] = .string(node.description) }
        if let kind = error?.kind { input["error_kind"] = .string(kind.rawValue) }
        input["payload"] = .object(input)
        // The key an `execution.failed` event trigger of the same workflow starts with: one run per failure.
        return .success(FollowUp(workflow: handler, triggerNode: trigger.id, input: .object(input),
                                 idempotencyKey: EventDispatcher.idempotencyKey(event: "execution.failed", execution: run.record.id, trigger: trigger.id)))
    }
}
