import WindFlowCore

/// A workflow the designer proposed, kept until the user accepts or discards it.
public struct ProposalRecord: Sendable, Hashable {
    public enum Status: String, Sendable { case proposed, accepted, discarded }

    public var id: String
    public var status: Status
    public var prose: String
    public var workflowName: String
    /// For an edit: the workflow and version it changes.
    public var baseWorkflowID: String?
    public var baseVersion: Int?
    /// The proposed workflow (canonical YAML); nil when the model never produced one that could be read.
    public var definition: String?
    public var valid: Bool
    /// The validation report as JSON (a list of problems).
    public var report: JSONValue
    /// Each design and repair round as JSON.
    public var rounds: JSONValue
    public var provider: String
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencyMs: Double
    public var explanation: String
    public var assumptions: [String]
    /// For an edit: a unified line diff against the base version.
    public var diff: String?
    public var createdAt: Double
    public var acceptedWorkflowID: String?
    public var acceptedVersion: Int?
    public var decidedAt: Double?

    public init(
        id: String, status: Status = .proposed, prose: String, workflowName: String, baseWorkflowID: String? = nil,
        baseVersion: Int? = nil, definition: String?, valid: Bool, report: JSONValue, rounds: JSONValue, provider: String,
        model: String, promptTokens: Int, completionTokens: Int, latencyMs: Double, explanation: String, assumptions: [String],
        diff: String? = nil, createdAt: Double
    ) {
        self.id = id
        self.status = status
        self.prose = prose
        self.workflowName = workflowName
        self.baseWorkflowID = baseWorkflowID
        self.baseVersion = baseVersion
        self.definition = definition
        self.valid = valid
        self.report = report
        self.rounds = rounds
        self.provider = provider
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
        self.explanation = explanation
        self.assumptions = assumptions
        self.diff = diff
        self.createdAt = createdAt
    }
}

/// One call to a language model, as recorded whatever its outcome.
public struct LLMCallRecord: Sendable, Hashable {
    public var at: Double
    public var provider: String
    public var model: String
    /// `design`, `repair`, `fix`, …
    public var purpose: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencyMs: Double
    public var attempts: Int
    /// `ok`, or the error's kind (`rate_limited`, `timeout`, …).
    public var outcome: String
    public var error: String?
    public var proposalID: String?

    public init(
        at: Double, provider: String, model: String, purpose: String, promptTokens: Int, completionTokens: Int, latencyMs: Double,
        attempts: Int, outcome: String, error: String? = nil, proposalID: String? = nil
    ) {
        self.at = at
        self.provider = provider
        self.model = model
        self.purpose = purpose
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
        self.attempts = attempts
        self.outcome = outcome
        self.error = error
        self.proposalID = proposalID
    }
}
