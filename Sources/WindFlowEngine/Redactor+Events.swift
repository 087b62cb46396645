import WindFlowCore

extension Redactor {
    /// The event with secret values hidden in what it carries (inputs, outputs, messages) but never in its structure
    /// (node keys, branches, kinds), so the stored history replays exactly as the live run went.
    public func redact(_ event: ExecutionEvent) -> ExecutionEvent {
        switch event {
        case .started(let trigger, let input, let at):
            return .started(trigger: trigger, input: redact(input), at: at)
        case .nodeFinished(let key, let attempt, let outcome, let at):
            return .nodeFinished(key, attempt: attempt, outcome: redact(outcome), at: at)
        case .reused(let key, let output, let branch, let at):
            return .reused(key, output: redact(output), branch: branch, at: at)
        default:
            return event
        }
    }

    func redact(_ outcome: NodeOutcome) -> NodeOutcome {
        switch outcome {
        case .succeeded(let output, let branch): return .succeeded(redact(output), branch: branch)
        case .failed(var failure):
            failure.message = redact(failure.message)
            failure.output = failure.output.map(redact)
            failure.details.subject = failure.details.subject.map(redact)
            failure.details.alternatives = failure.details.alternatives?.map(redact)
            return .failed(failure)
        case .iterate(let items, let parallel): return .iterate(items.map(redact), parallel: parallel)
        case .stop(let succeeded, let message): return .stop(succeeded: succeeded, message: redact(message))
        case .wait: return outcome
        }
    }
}
