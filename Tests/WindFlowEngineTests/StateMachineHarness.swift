import Testing
@testable import WindFlowCore
@testable import WindFlowEngine

/// Drives a state machine the way the engine does, with scripted node outcomes and a manual clock: no SQLite, no
/// processes, no sleeping.
struct StateMachineHarness {
    var machine: ExecutionStateMachine
    var now: Double = 1_000
    /// Every event fed, in order (what the store would hold).
    var events: [ExecutionEvent] = []
    /// Every action returned, in order.
    var actions: [ExecutionAction] = []
    /// Attempts started, in order.
    var runs: [(key: NodeKey, attempt: Int)] = []
    /// Timers not fired yet.
    var timers: [(key: NodeKey, at: Double)] = []
    /// Every timer set, in order.
    var timerLog: [(key: NodeKey, at: Double)] = []
    /// Attempts in flight, finished one at a time in start order unless `hold` keeps them.
    var inFlight: [(key: NodeKey, attempt: Int)] = []
    /// Seconds each attempt takes, by node id.
    var durations: [String: Double] = [:]
    var maxInFlight = 0

    init(_ yaml: String, id: String = "exec-1") throws {
        let workflow = try WorkflowCodec.load(yaml).workflow
        let report = Validator().validate(workflow)
        #expect(report.isValid, "\(report.problems)")
        machine = ExecutionStateMachine(workflow: workflow, executionID: id)
    }

    mutating func feed(_ event: ExecutionEvent) {
        events.append(event)
        for action in machine.handle(event) {
            actions.append(action)
            switch action {
            case .run(let key, let attempt):
                runs.append((key, attempt))
                inFlight.append((key, attempt))
                maxInFlight = max(maxInFlight, inFlight.count)
            case .retry(let key, _, let at), .park(let key, let at):
                timers.append((key, at))
                timerLog.append((key, at))
            case .cancel(let keys):
                inFlight.removeAll { keys.contains($0.key) }
            case .skip, .finish, .completed, .settled:
                break
            }
        }
    }

    /// Runs until the execution ends or nothing can happen, answering each attempt with `outcome`.
    mutating func run(input: JSONValue = [:], trigger: String = "start", steps: Int = 10_000,
                      outcome: (NodeKey, Int, ExecutionStateMachine) -> NodeOutcome = { _, _, _ in .succeeded([:], branch: nil) }) {
        if machine.status == .queued { feed(.started(trigger: trigger, input: input, at: now)) }
        var remaining = steps
        while !machine.status.isTerminal, remaining > 0 {
            remaining -= 1
            if !inFlight.isEmpty {
                let (key, attempt) = inFlight.removeFirst()
                now += durations[key.node] ?? 1
                feed(.nodeFinished(key, attempt: attempt, outcome: outcome(key, attempt, machine), at: now))
            } else if let next = timers.min(by: { $0.at < $1.at }) {
                timers.removeAll { $0.key == next.key && $0.at == next.at }
                now = max(now, next.at)
                feed(.timerFired(next.key, at: now))
            } else {
                break
            }
        }
    }

    var skipped: [String] {
        actions.compactMap { if case .skip(let key) = $0 { return key.description } else { return nil } }
    }

    var ran: [String] { runs.map { $0.key.description } }

    var finish: (ExecutionStatus, ExecutionError?)? {
        for action in actions.reversed() { if case .finish(let status, let error) = action { return (status, error) } }
        return nil
    }
}
