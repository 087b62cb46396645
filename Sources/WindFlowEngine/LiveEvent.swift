import WindFlowCore

/// What a live view of a run is told: one message per decision of the state machine, with ids, statuses, branches
/// and times — never a node's input or output.
public enum LiveEvent: Sendable, Hashable {
    /// The run started from trigger node `trigger`.
    case executionStarted(trigger: String, at: Double)
    /// An attempt of a node was issued.
    case nodeStarted(NodeKey, attempt: Int, at: Double)
    /// A node's run is over: `succeeded`, `failed`, `cancelled` or `reused`, leaving from `branch` (nil: its main
    /// output). `attempt` is nil for a node that never had one (the trigger, a reused node).
    case nodeFinished(NodeKey, attempt: Int?, status: NodeRunStatus, branch: String?, error: LiveError?, at: Double)
    /// A node will not run: a branch not taken, all its inputs skipped, or disabled.
    case nodeSkipped(NodeKey, at: Double)
    /// An attempt failed and attempt `attempt` runs at `retryAt`.
    case retryScheduled(NodeKey, attempt: Int, retryAt: Double, error: LiveError?, at: Double)
    /// A wait parked the node until `until`.
    case nodeWaiting(NodeKey, until: Double, at: Double)
    /// A loop runs its body once for each of `items` items.
    case nodeIterating(NodeKey, items: Int, at: Double)
    /// The run is over.
    case executionFinished(ExecutionStatus, error: LiveError?, at: Double?)
}

/// Why something failed, as a live view shows it: the classified kind, the message (secrets already hidden: it
/// comes from the stored, redacted event) and, for a run, the node it happened at.
public struct LiveError: Sendable, Hashable {
    public var kind: FailureKind
    public var message: String
    public var node: String?

    public init(kind: FailureKind, message: String, node: String? = nil) {
        self.kind = kind
        self.message = message
        self.node = node
    }

    init(_ failure: NodeFailure) { self.init(kind: failure.kind, message: failure.message) }

    init(_ error: ExecutionError) { self.init(kind: error.kind, message: error.message, node: error.node?.description) }
}
