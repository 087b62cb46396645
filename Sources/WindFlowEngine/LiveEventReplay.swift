import WindFlowCore

/// Replays an execution's stored events through its state machine and says, for each, what the machine decided:
/// the live view of a run is drawn from these alone, so it never re-derives skips or branches itself.
public struct LiveEventReplay: Sendable {
    private var machine: ExecutionStateMachine
    /// The latest attempt of each node, for runs that end without an attempt of their own (a wait, a loop).
    private var attempts: [NodeKey: Int] = [:]

    public init(workflow: Workflow, executionID: String, registry: NodeRegistry = .standard) {
        machine = ExecutionStateMachine(workflow: workflow, executionID: executionID, registry: registry)
    }

    /// Applies one stored event and answers what it led to, in the order the machine decided it.
    public mutating func handle(_ event: ExecutionEvent) -> [LiveEvent] {
        var accepted = false
        if case .nodeFinished(let key, let attempt, _, _) = event { accepted = machine.runningAttempts[key] == attempt }
        let actions = machine.handle(event)
        let at = event.at
        var live: [LiveEvent] = []
        switch event {
        case .started(let trigger, _, _) where !actions.isEmpty:
            live.append(.executionStarted(trigger: trigger, at: at))
        case .nodeFinished(let key, _, .iterate(let items, _), _) where accepted && !actions.contains(where: { $0.settles(key) }):
            live.append(.nodeIterating(key, items: items.count, at: at))
        default:
            break
        }
        for action in actions {
            switch action {
            case .run(let key, let attempt):
                attempts[key] = attempt
                live.append(.nodeStarted(key, attempt: attempt, at: at))
            case .settled(let key, let status, let branch, let failure):
                live.append(.nodeFinished(key, attempt: attempts[key], status: status, branch: branch, error: failure.map(LiveError.init), at: at))
            case .skip(let key):
                live.append(.nodeSkipped(key, at: at))
            case .retry(let key, let attempt, let retryAt):
                var error: LiveError?
                if case .nodeFinished(key, _, .failed(let failure), _) = event { error = LiveError(failure) }
                live.append(.retryScheduled(key, attempt: attempt, retryAt: retryAt, error: error, at: at))
            case .park(let key, let until):
                live.append(.nodeWaiting(key, until: until, at: at))
            case .cancel(let keys):
                for key in keys { live.append(.nodeFinished(key, attempt: attempts[key], status: .cancelled, branch: nil, error: nil, at: at)) }
            case .finish(let status, let error):
                live.append(.executionFinished(status, error: error.map(LiveError.init), at: at))
            case .completed:
                break  // its `settled` follows
            }
        }
        return live
    }
}

extension ExecutionAction {
    fileprivate func settles(_ key: NodeKey) -> Bool {
        if case .settled(key, _, _, _) = self { return true }
        return false
    }
}
