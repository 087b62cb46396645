/// Where an execution stands. Stored, sent over the API and shown by the CLI under these names.
public enum ExecutionStatus: String, Sendable, Hashable, CaseIterable {
    case queued, running, waiting, succeeded, failed, cancelled

    /// Whether the execution is over.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// The statuses of executions that are over.
    public static let terminal: [ExecutionStatus] = allCases.filter(\.isTerminal)
    /// The statuses of executions that still need a worker or a timer (what a restart resumes).
    public static let unfinished: [ExecutionStatus] = allCases.filter { !$0.isTerminal }
}

/// Where one node of a run stands: what its latest attempt came to, or why it did not run.
public enum NodeRunStatus: String, Sendable, Hashable, CaseIterable {
    /// An attempt was issued and has not ended.
    case running
    case succeeded, failed, cancelled
    /// A wait parked the node until a time.
    case waiting
    /// A loop is running its body once per item.
    case iterating
    /// The node was not on the path taken (a branch not chosen, an error branch not needed).
    case skipped
    /// A run restarted from a later step took the node's output from the earlier run instead of running it again.
    case reused

    /// Whether the node is done with, one way or another.
    public var isSettled: Bool { self == .succeeded || self == .failed || self == .cancelled || self == .skipped || self == .reused }
}

extension ExecutionStatus {
    /// Reads a status as stored or sent; a name that is not one is an error that says which names are.
    public init(reading text: String) throws(RunVocabularyError) {
        guard let status = ExecutionStatus(rawValue: text) else { throw RunVocabularyError(kind: "execution status", value: text, known: Self.allCases.map(\.rawValue)) }
        self = status
    }
}

extension NodeRunStatus {
    public init(reading text: String) throws(RunVocabularyError) {
        guard let status = NodeRunStatus(rawValue: text) else { throw RunVocabularyError(kind: "node run status", value: text, known: Self.allCases.map(\.rawValue)) }
        self = status
    }
}

/// A stored or received name that is not part of the run vocabulary.
public struct RunVocabularyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var value: String
    public var known: [String]

    public var description: String { "'\(value)' is not a \(kind); the \(kind)es are \(known.joined(separator: ", "))" }
}
