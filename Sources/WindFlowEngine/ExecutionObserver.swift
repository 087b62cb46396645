import WindFlowCore

/// What happens during a run, as it happens: for live progress views and event streams.
public enum ProgressEvent: Sendable {
    case nodeStarted(NodeKey, attempt: Int)
    case nodeFinished(NodeKey, attempt: Int, status: NodeRunStatus, seconds: Double, error: String?)
    case nodeSkipped(NodeKey)
    case retryScheduled(NodeKey, attempt: Int, at: Double)
    case waiting(NodeKey, until: Double)
    case log(NodeKey, String)
    case finished(ExecutionStatus, ExecutionError?)
}

/// Receives progress events; called from the runner's task, so it must be quick.
public typealias ExecutionObserver = @Sendable (ProgressEvent) -> Void
