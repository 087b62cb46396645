import WindFlowCore

/// What one attempt of a node came to.
public enum NodeOutcome: Sendable, Hashable {
    /// Done, with its output and the named output it leaves from (`true`, a switch case…), if any.
    case succeeded(JSONValue, branch: String?)
    case failed(NodeFailure)
    /// A `logic.wait`: park until this time (seconds since 1970).
    case wait(until: Double)
    /// A `logic.loop`: run the body once per item.
    case iterate([JSONValue], parallel: Int)
    /// A `logic.stop`: end the run as succeeded or failed, with a message.
    case stop(succeeded: Bool, message: String)
}

/// Why a node attempt failed, classified so retries apply only where they can help.
public struct NodeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: FailureKind
    public var message: String
    /// Whether another attempt may succeed (timeouts, connection errors, 5xx, exits marked retryable).
    public var retryable: Bool
    /// Fields to keep with the error (an HTTP status, an exit code, a log tail).
    public var details: JSONValue?

    public init(_ kind: FailureKind, _ message: String, retryable: Bool? = nil, details: JSONValue? = nil) {
        self.kind = kind
        self.message = message
        self.retryable = retryable ?? kind.isRetryableByDefault
        self.details = details
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The error as a node output (`{{ node.error.message }}`).
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["kind": .string(kind.rawValue), "message": .string(message)]
        if let details { object["details"] = details }
        return .object(object)
    }
}

/// The classes of failure. Validation and configuration errors are never retried.
public enum FailureKind: String, Sendable, Hashable, CaseIterable {
    /// The node's input is not what its type accepts.
    case validation
    /// The node cannot run as configured (a missing command, an unsupported node type).
    case configuration
    /// An expression could not be evaluated (a missing field, a type error).
    case expression
    /// The node ran past its timeout.
    case timeout
    /// A connection could not be made or was lost.
    case connection
    /// An HTTP status outside the expected ones.
    case http
    /// A script or command exited with a non-zero status.
    case exit
    /// The execution was cancelled while the node ran.
    case cancelled
    /// The node was running when the process stopped and was not re-run (should not normally be seen).
    case interrupted
    /// A `logic.stop` ended the run as failed.
    case stopped
    /// A node inside a loop iteration failed.
    case loopIteration = "loop_iteration"
    /// Anything else.
    case `internal`

    var isRetryableByDefault: Bool {
        switch self {
        case .timeout, .connection, .interrupted: return true
        default: return false
        }
    }
}
