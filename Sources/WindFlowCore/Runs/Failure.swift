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

    /// Whether another attempt may help when the failure itself does not say.
    public var isRetryableByDefault: Bool {
        switch self {
        case .timeout, .connection, .interrupted: return true
        default: return false
        }
    }

    /// Reads a kind as stored; an unknown name (written by a newer version) reads as `internal`.
    public init(stored text: String) { self = FailureKind(rawValue: text) ?? .internal }
}

/// What a failure is made of, beyond its message: the facts a fix rule or a person acts on. Every field is optional;
/// executors fill the ones they know.
public struct FailureDetails: Sendable, Hashable {
    /// The HTTP status the peer answered (an HTTP node, a notification webhook, a registry, the Docker Engine).
    public var httpStatus: Int?
    /// The exit status of a script or command.
    public var exitCode: Int?
    /// The signal that killed a script or command.
    public var signal: Int?
    /// The class of error, in the peer's own words where it has them (`NoSuchBucket`, `SQLSTATE 23505`).
    public var errorClass: FailureClass?
    /// What the failure is about: the expression path that was read, the host, the command, the image.
    public var subject: String?
    /// What would have been accepted instead (the fields a value has, the tags an image has).
    public var alternatives: [String]?

    public init(httpStatus: Int? = nil, exitCode: Int? = nil, signal: Int? = nil, errorClass: FailureClass? = nil,
                subject: String? = nil, alternatives: [String]? = nil) {
        self.httpStatus = httpStatus
        self.exitCode = exitCode
        self.signal = signal
        self.errorClass = errorClass
        self.subject = subject
        self.alternatives = alternatives
    }

    public var isEmpty: Bool { self == FailureDetails() }

    /// Whether the peer answered with a status that says "try again later" (5xx, 429).
    public var isTransientHTTP: Bool { httpStatus.map { $0 >= 500 || $0 == 429 } ?? false }

    /// The details as they are stored and shown (`http_status`, `exit_code`, `signal`, `error_class`, `subject`,
    /// `alternatives`), only the known ones.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [:]
        if let httpStatus { object["http_status"] = .int(httpStatus) }
        if let exitCode { object["exit_code"] = .int(exitCode) }
        if let signal { object["signal"] = .int(signal) }
        if let errorClass { object["error_class"] = .string(errorClass.rawValue) }
        if let subject { object["subject"] = .string(subject) }
        if let alternatives { object["alternatives"] = .array(alternatives.map(JSONValue.string)) }
        return .object(object)
    }

    /// Reads details as ``jsonValue`` writes them; fields of another shape are left out.
    public init(jsonValue: JSONValue) {
        let object = jsonValue.objectValue ?? [:]
        self.init(
            httpStatus: object["http_status"]?.intValue, exitCode: object["exit_code"]?.intValue,
            signal: object["signal"]?.intValue, errorClass: object["error_class"]?.stringValue.map(FailureClass.init(rawValue:)),
            subject: object["subject"]?.stringValue, alternatives: object["alternatives"]?.arrayValue?.compactMap(\.stringValue))
    }
}

/// A stable name for a class of error. Open-ended: executors name what their peer says (an S3 error code, an
/// SQLSTATE); the classes WindFlow itself gives are named here, so the executors that set them and the fix rules that
/// match them share one spelling.
public struct FailureClass: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Exit 127: the shell found no such command (`subject` is the command).
    public static let commandNotFound = FailureClass(rawValue: "command_not_found")
    /// Exit 126: the file is there but cannot be run.
    public static let notExecutable = FailureClass(rawValue: "not_executable")
    /// A signal ended the process.
    public static let killed = FailureClass(rawValue: "killed")
    /// An expression read a field the value does not have (`subject` is the path, `alternatives` the fields it has).
    public static let missingField = FailureClass(rawValue: "missing_field")
    /// An expression named something not defined (`alternatives` are the names that are).
    public static let undefinedName = FailureClass(rawValue: "undefined_name")
    /// An expression read a field of null.
    public static let nullValue = FailureClass(rawValue: "null_value")
    /// An expression read a field of a list.
    public static let fieldOfList = FailureClass(rawValue: "field_of_list")
    /// Containers failed their health checks or exited right after starting.
    public static let unhealthy = FailureClass(rawValue: "unhealthy")
    /// Containers were still not healthy when the wait for health ended.
    public static let healthTimeout = FailureClass(rawValue: "health_timeout")
}
