import Foundation

/// A workflow: named, described, a set of nodes joined by edges, and its settings.
public struct Workflow: Sendable, Hashable {
    public var name: String
    public var description: String
    public var tags: [String]
    public var nodes: [WorkflowNode]
    public var edges: [Edge]
    public var settings: WorkflowSettings

    public init(
        name: String, description: String = "", tags: [String] = [], nodes: [WorkflowNode] = [],
        edges: [Edge] = [], settings: WorkflowSettings = WorkflowSettings()
    ) {
        self.name = name
        self.description = description
        self.tags = tags
        self.nodes = nodes
        self.edges = edges
        self.settings = settings
    }

    /// The node with this id, if there is one.
    public func node(_ id: String) -> WorkflowNode? {
        nodes.first { $0.id == id }
    }
}

/// One step of a workflow: a node type and its configuration, plus how failures are handled.
public struct WorkflowNode: Sendable, Hashable {
    /// The timeout the seed gives every node when none is set: five minutes.
    public static let defaultTimeout: Double = 300

    public var id: String
    public var type: String
    public var name: String?
    public var configuration: [String: JSONValue]
    public var errorHandling: ErrorHandling
    public var retryCount: Int
    public var retry: RetryPolicy?
    /// Seconds; `nil` means ``defaultTimeout``.
    public var timeout: Double?
    public var position: Position?
    public var disabled: Bool
    public var notes: String?

    public init(
        id: String, type: String, name: String? = nil, configuration: [String: JSONValue] = [:],
        errorHandling: ErrorHandling = .stop, retryCount: Int = 0, retry: RetryPolicy? = nil,
        timeout: Double? = nil, position: Position? = nil, disabled: Bool = false, notes: String? = nil
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.configuration = configuration
        self.errorHandling = errorHandling
        self.retryCount = retryCount
        self.retry = retry
        self.timeout = timeout
        self.position = position
        self.disabled = disabled
        self.notes = notes
    }

    /// The timeout that applies: the node's own, or the default.
    public var effectiveTimeout: Double { timeout ?? Self.defaultTimeout }
}

/// What happens when a node fails after its retries.
public enum ErrorHandling: String, Sendable, Hashable, CaseIterable {
    /// Fail the execution.
    case stop
    /// Record the error and go on as if the node had succeeded with no output.
    case `continue`
    /// Follow the node's `error` edges, with the error as the node's output.
    case branch
}

/// How long to wait between attempts: exponential backoff with a cap and jitter.
public struct RetryPolicy: Sendable, Hashable {
    public static let `default` = RetryPolicy()

    /// Seconds before the first retry.
    public var initialDelay: Double
    /// Each further delay is the previous one times this factor.
    public var factor: Double
    /// No delay is longer than this, in seconds.
    public var maxDelay: Double
    /// A fraction (0…1) of each delay that is randomised, so retries from many runs do not align.
    public var jitter: Double

    public init(initialDelay: Double = 1, factor: Double = 2, maxDelay: Double = 60, jitter: Double = 0.2) {
        self.initialDelay = initialDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The delay before retry number `retry` (1-based), before jitter.
    public func baseDelay(beforeRetry retry: Int) -> Double {
        let exponent = Double(max(0, retry - 1))
        return min(maxDelay, initialDelay * pow(factor, exponent))
    }

    /// The delay before retry number `retry`, with jitter drawn from `unit` (a number in 0…1).
    public func delay(beforeRetry retry: Int, unit: Double) -> Double {
        let base = baseDelay(beforeRetry: retry)
        let spread = base * jitter
        return max(0, base - spread + 2 * spread * min(1, max(0, unit)))
    }
}

/// Where the editor draws a node.
public struct Position: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A connection from one node's output to another node.
public struct Edge: Sendable, Hashable {
    public var source: String
    public var target: String
    /// The named output it leaves from (`true`, `false`, a switch case, `loop`, `done`, `error`), or `nil` for the
    /// main output.
    public var branch: String?

    public init(source: String, target: String, branch: String? = nil) {
        self.source = source
        self.target = target
        self.branch = branch
    }
}

/// Settings that apply to the whole workflow.
public struct WorkflowSettings: Sendable, Hashable {
    /// IANA time zone for schedules and dates, e.g. `Europe/Paris`.
    public var timezone: String?
    /// Seconds the whole execution may take.
    public var timeout: Double?
    /// How many nodes may run at the same time.
    public var maxParallel: Int?
    /// The workflow to run, with the failed execution as its input, when an execution fails.
    public var errorWorkflow: String?

    public init(timezone: String? = nil, timeout: Double? = nil, maxParallel: Int? = nil, errorWorkflow: String? = nil) {
        self.timezone = timezone
        self.timeout = timeout
        self.maxParallel = maxParallel
        self.errorWorkflow = errorWorkflow
    }

    /// Whether every setting is left at its default.
    public var isEmpty: Bool { self == WorkflowSettings() }
}
