import WindFlowCore

/// A stored workflow and its current version.
public struct WorkflowRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var version: Int
    public var active: Bool
    public var workflow: Workflow

    public init(id: String, name: String, version: Int, active: Bool, workflow: Workflow) {
        self.id = id
        self.name = name
        self.version = version
        self.active = active
        self.workflow = workflow
    }
}

/// A stored execution.
public struct ExecutionRecord: Sendable, Hashable {
    public var id: String
    public var workflowID: String
    public var workflowVersion: Int
    public var workflowName: String
    public var triggerNode: String
    public var triggerType: String
    public var input: JSONValue
    public var status: ExecutionStatus
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public var errorKind: FailureKind?
    public var errorMessage: String?
    public var errorNode: String?
    public var restartedFrom: String?
    public var restartNode: String?
    /// The key the starter gave (an `Idempotency-Key` header, a schedule's fire time, a file's change): a second
    /// start of the same workflow with the same key gets this execution instead of a new one.
    public var idempotencyKey: String? = nil

    public init(
        id: String, workflowID: String, workflowVersion: Int, workflowName: String, triggerNode: String, triggerType: String,
        input: JSONValue, status: ExecutionStatus, createdAt: Double, startedAt: Double? = nil, finishedAt: Double? = nil,
        errorKind: FailureKind? = nil, errorMessage: String? = nil, errorNode: String? = nil, restartedFrom: String? = nil,
        restartNode: String? = nil, idempotencyKey: String? = nil
    ) {
        self.id = id
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.workflowName = workflowName
        self.triggerNode = triggerNode
        self.triggerType = triggerType
        self.input = input
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorKind = errorKind
        self.errorMessage = errorMessage
        self.errorNode = errorNode
        self.restartedFrom = restartedFrom
        self.restartNode = restartNode
        self.idempotencyKey = idempotencyKey
    }
}

/// One attempt of one node.
public struct NodeRunRecord: Sendable, Hashable {
    public var nodeKey: String
    public var nodeID: String
    public var nodeType: String
    public var attempt: Int
    public var status: NodeRunStatus
    public var input: JSONValue?
    public var output: JSONValue?
    public var truncated: Bool
    public var errorKind: FailureKind?
    public var errorMessage: String?
    /// The facts the failure carries beyond its message (HTTP status, exit code, error class…).
    public var errorDetails: FailureDetails?
    public var logTail: String?
    public var startedAt: Double?
    public var finishedAt: Double?
    public var durationMS: Double?

    public init(
        nodeKey: String, nodeID: String, nodeType: String, attempt: Int, status: NodeRunStatus, input: JSONValue? = nil,
        output: JSONValue? = nil, truncated: Bool = false, errorKind: FailureKind? = nil, errorMessage: String? = nil,
        errorDetails: FailureDetails? = nil, logTail: String? = nil, startedAt: Double? = nil, finishedAt: Double? = nil, durationMS: Double? = nil
    ) {
        self.nodeKey = nodeKey
        self.nodeID = nodeID
        self.nodeType = nodeType
        self.attempt = attempt
        self.status = status
        self.input = input
        self.output = output
        self.truncated = truncated
        self.errorKind = errorKind
        self.errorMessage = errorMessage
        self.errorDetails = errorDetails
        self.logTail = logTail
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMS = durationMS
    }
}

/// A line of an execution's log.
public struct LogRecord: Sendable, Hashable {
    public var nodeKey: String?
    public var at: Double
    public var level: String
    public var message: String

    public init(nodeKey: String?, at: Double, level: String, message: String) {
        self.nodeKey = nodeKey
        self.at = at
        self.level = level
        self.message = message
    }
}

/// Everything one transition writes, committed together: the event, the node runs it changes, timers, logs and
/// the execution's status.
public struct Transition: Sendable {
    /// The event as JSON text (the engine's encoding), if the transition has one.
    public var event: String?
    /// The event's position in the execution's history, when the writer knows it (else the next one is used).
    public var sequence: Int?
    public var nodeRuns: [NodeRunRecord] = []
    public var setTimers: [(nodeKey: String, at: Double)] = []
    public var clearTimers: [String] = []
    public var logs: [LogRecord] = []
    public var status: ExecutionStatus?
    public var startedAt: Double?
    public var finishedAt: Double?
    public var error: (kind: FailureKind, message: String, node: String?)?
    /// Remove the execution from the queue (it has been taken up).
    public var dequeue = false
    /// An execution to create and queue in the same transaction (a failed run's error workflow), so a crash cannot
    /// lose it.
    public var followUp: FollowUp?

    public init(event: String? = nil) {
        self.event = event
    }
}

/// An execution queued together with a transition.
public struct FollowUp: Sendable {
    public var workflow: WorkflowRecord
    public var triggerNode: String
    public var input: JSONValue
    /// Its idempotency key: a later start of the same workflow with this key gets the follow-up instead.
    public var idempotencyKey: String?

    public init(workflow: WorkflowRecord, triggerNode: String, input: JSONValue, idempotencyKey: String? = nil) {
        self.workflow = workflow
        self.triggerNode = triggerNode
        self.input = input
        self.idempotencyKey = idempotencyKey
    }
}

/// What ``SQLiteStore/runSnapshot(_:)`` reads for a run in one transaction.
public struct RunSnapshot: Sendable {
    public var execution: ExecutionRecord
    /// Its workflow at the version it runs, unless that is not stored.
    public var workflow: WorkflowRecord?
    /// Its stored events, as JSON text, in order.
    public var events: [String]
    public var cancelRequested: Bool
    public var secrets: [String: String]

    public init(execution: ExecutionRecord, workflow: WorkflowRecord?, events: [String], cancelRequested: Bool, secrets: [String: String]) {
        self.execution = execution
        self.workflow = workflow
        self.events = events
        self.cancelRequested = cancelRequested
        self.secrets = secrets
    }
}

/// A stack file kept in the store (the other home of stacks is the stacks directory).
public struct StackRecord: Sendable, Hashable {
    public var name: String
    public var definition: String
    public var createdAt: Double
    public var updatedAt: Double

    public init(name: String, definition: String, createdAt: Double, updatedAt: Double) {
        self.name = name
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One event in the stream of all runs.
public struct FeedEntry: Sendable {
    /// Its place in the feed: later events have larger positions.
    public var position: Int
    public var execution: String
    public var workflow: String
    /// The event as JSON text.
    public var event: String

    public init(position: Int, execution: String, workflow: String, event: String) {
        self.position = position
        self.execution = execution
        self.workflow = workflow
        self.event = event
    }
}
