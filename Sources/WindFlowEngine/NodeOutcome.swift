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
    /// The facts a fix rule or a person acts on: the HTTP status, the exit code, the class of error.
    public var details: FailureDetails
    /// What the node had produced when it failed (an HTTP response, a script's output), shown as the error's
    /// `details` field (`{{ node.error.details.status }}`).
    public var output: JSONValue?

    public init(_ kind: FailureKind, _ message: String, retryable: Bool? = nil, details: FailureDetails = FailureDetails(),
                output: JSONValue? = nil) {
        self.kind = kind
        self.message = message
        self.retryable = retryable ?? kind.isRetryableByDefault
        self.details = details
        self.output = output
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The error as a node output and as stored: `kind`, `message`, the structured details at the top level
    /// (`http_status`, `exit_code`, `error_class`…) and what the node produced under `details`.
    public var jsonValue: JSONValue {
        var object = details.jsonValue.objectValue ?? [:]
        object["kind"] = .string(kind.rawValue)
        object["message"] = .string(message)
        if let output { object["details"] = output }
        return .object(object)
    }
}

extension NodeFailure {
    /// A parameter that cannot be read as the executor needs it: the configuration is wrong, so another attempt will
    /// not help.
    public init(_ error: ParameterError) {
        self.init(.configuration, error.description, retryable: false, details: FailureDetails(subject: error.parameter))
    }

    /// A parameter whose expression could not be evaluated, with what it read and what was there instead.
    static func expression(_ error: ExpressionError, parameter: String) -> NodeFailure {
        NodeFailure(.expression, "\(parameter): \(error.description)", retryable: false,
                    details: FailureDetails(errorClass: error.problem.map { FailureClass(rawValue: $0.rawValue) }, subject: error.path, alternatives: error.alternatives))
    }
}
