import WindFlowCore

/// The designer's records: proposals (a design waiting for the user's decision) and the log of model calls.
public protocol DesignerStore: Sendable {
    func saveProposal(_ proposal: ProposalRecord) throws -> String
    func proposal(_ id: String) throws -> ProposalRecord?
    func proposals(limit: Int) throws -> [ProposalRecord]
    /// Stores the proposal's workflow as a version and marks the proposal accepted, in one transaction; nil when the
    /// proposal is not pending.
    func acceptProposal(_ id: String, workflow: Workflow, activate: Bool, now: Double) throws -> WorkflowRecord?
    func discardProposal(_ id: String, now: Double) throws -> Bool

    func recordLLMCall(_ call: LLMCallRecord) throws
    /// Links the calls made since `since` for these purposes to a proposal (what its design cost).
    func attachLLMCalls(since: Double, purposeIn purposes: [String], toProposal id: String) throws
    func llmCalls(limit: Int) throws -> [LLMCallRecord]
    func llmCallTotals() throws -> [(provider: String, outcome: String, calls: Int, promptTokens: Int, completionTokens: Int)]
    /// Per workflow, executions that succeeded and that finished (template recommendations weigh by them).
    func successCounts() throws -> [String: (succeeded: Int, finished: Int)]
}

extension DesignerStore {
    public func proposals() throws -> [ProposalRecord] { try proposals(limit: 50) }
    public func llmCalls() throws -> [LLMCallRecord] { try llmCalls(limit: 100) }
}
