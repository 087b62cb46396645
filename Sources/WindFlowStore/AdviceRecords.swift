import WindFlowCore

/// A change suggested for a workflow — a fix after a failed run, or an optimization from its history — as an RFC 6902
/// patch, with why, how sure, and the evidence; and whether it was applied and how the runs went after.
public struct SuggestionRecord: Sendable, Hashable {
    public enum Status: String, Sendable { case offered, applied, dismissed }

    public var id: String
    /// `fix` (a patch), `action` (commands for a person; nothing to apply) or `optimize`.
    public var kind: String
    public var workflowID: String
    /// The version the patch was made against.
    public var workflowVersion: Int
    public var executionID: String?
    public var nodeID: String?
    /// Which rule made it (`timeout_near_limit`, `missing_field`, …), or `llm`.
    public var rule: String
    public var title: String
    public var rationale: String
    public var confidence: Double
    /// The RFC 6902 patch, as JSON.
    public var patch: JSONValue
    public var evidence: JSONValue
    /// `rule` or `llm`.
    public var source: String
    public var status: Status = .offered
    public var appliedVersion: Int?
    public var createdAt: Double
    public var decidedAt: Double?

    public init(
        id: String = "", kind: String, workflowID: String, workflowVersion: Int, executionID: String? = nil, nodeID: String? = nil,
        rule: String, title: String, rationale: String, confidence: Double, patch: JSONValue, evidence: JSONValue, source: String,
        createdAt: Double
    ) {
        self.id = id
        self.kind = kind
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.executionID = executionID
        self.nodeID = nodeID
        self.rule = rule
        self.title = title
        self.rationale = rationale
        self.confidence = confidence
        self.patch = patch
        self.evidence = evidence
        self.source = source
        self.createdAt = createdAt
    }
}

/// What a node's stored runs say about it.
public struct NodeHistory: Sendable, Hashable {
    public var attempts: Int
    public var succeeded: Int
    public var failed: Int
    /// Attempts after the first (retries).
    public var retries: Int
    /// Failed attempts by error kind.
    public var failuresByKind: [String: Int]
    /// Durations of succeeded attempts, newest first (at most 1,000), in milliseconds.
    public var durations: [Double]
    /// The evaluated input of the newest succeeded attempt.
    public var lastSuccessfulInput: JSONValue?

    public init(attempts: Int = 0, succeeded: Int = 0, failed: Int = 0, retries: Int = 0, failuresByKind: [String: Int] = [:],
                durations: [Double] = [], lastSuccessfulInput: JSONValue? = nil) {
        self.attempts = attempts
        self.succeeded = succeeded
        self.failed = failed
        self.retries = retries
        self.failuresByKind = failuresByKind
        self.durations = durations
        self.lastSuccessfulInput = lastSuccessfulInput
    }

    /// The `fraction` percentile of the durations (0.95 → p95), in milliseconds.
    public func percentile(_ fraction: Double) -> Double? {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

/// One node's record over every stored run of its workflow.
public struct NodeStatistics: Sendable, Hashable {
    public var attempts = 0
    public var succeeded = 0
    public var failed = 0
    /// Succeeded on an attempt after the first.
    public var succeededAfterRetry = 0
    public var p50: Double?
    public var p95: Double?
    public var max: Double?

    public init() {}
}
