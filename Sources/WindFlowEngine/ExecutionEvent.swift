import WindFlowCore

/// Something that happened to an execution. Events are stored in order; replaying them rebuilds the execution's
/// state exactly, which is how an execution resumes after a crash.
public enum ExecutionEvent: Sendable, Hashable {
    /// The run starts from trigger node `trigger` with the trigger's output.
    case started(trigger: String, input: JSONValue, at: Double)
    /// An attempt of a node ended.
    case nodeFinished(NodeKey, attempt: Int, outcome: NodeOutcome, at: Double)
    /// A retry delay or a wait ended.
    case timerFired(NodeKey, at: Double)
    /// The process running the execution stopped while these nodes were running; they run again with attempt + 1.
    case resumed(interrupted: [NodeKey], at: Double)
    /// A restart from a step reuses an earlier execution's output for this node instead of running it.
    case reused(NodeKey, output: JSONValue, branch: String?, at: Double)
    /// Someone cancelled the execution.
    case cancelled(at: Double)
    /// The workflow's own timeout passed.
    case timedOut(at: Double)
}

/// What the state machine asks its driver to do.
public enum ExecutionAction: Sendable, Hashable {
    /// Run an attempt of a node (evaluate its input, call its executor).
    case run(NodeKey, attempt: Int)
    /// Record that a node was skipped (a branch not taken, or all its inputs skipped).
    case skip(NodeKey)
    /// A node's run is over — succeeded, failed for good, or reused — and the flow goes on from `branch` (nil: its
    /// main output; for a failure its error handling follows, `error` or the usual way). `failure` says why it failed.
    /// Nothing to do for a driver that records node runs from their attempts; a live view draws it.
    case settled(NodeKey, NodeRunStatus, branch: String?, failure: NodeFailure?)
    /// Wake the node at `at` for attempt `attempt` (a retry after backoff).
    case retry(NodeKey, attempt: Int, at: Double)
    /// Wake the node at `until` (a wait); the run holds no task meanwhile.
    case park(NodeKey, until: Double)
    /// A node finished without an attempt of its own ending: a loop whose iterations are done, a wait whose time came.
    case completed(NodeKey, output: JSONValue)
    /// Stop these running attempts (the run is ending).
    case cancel([NodeKey])
    /// The execution is over.
    case finish(ExecutionStatus, ExecutionError?)
}

/// Why an execution failed or was stopped.
public struct ExecutionError: Sendable, Hashable, CustomStringConvertible {
    public var kind: FailureKind
    public var message: String
    /// The node it happened at, when one did.
    public var node: NodeKey?

    public init(kind: FailureKind, message: String, node: NodeKey? = nil) {
        self.kind = kind
        self.message = message
        self.node = node
    }

    public var description: String {
        node.map { "\($0): \(message)" } ?? message
    }
}
