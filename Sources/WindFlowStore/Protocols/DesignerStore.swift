import WindFlowCore

/// The designer's records: proposals (a design waiting for the user's decision) and the log of model calls.
public protocol DesignerStore: Sendable {
    func saveProposal(_ proposal: ProposalRecord) async throws -> String
    func proposal(_ id: String) async throws -> ProposalRecord?
    func proposals(limit: Int) async throws -> [ProposalRecord]
    /// Stores the proposal's workflow as a version and marks the proposal accepted, in one transaction; nil when the
    /// proposal is not pending.
    func acceptProposal(_ id: String, workflow: Workflow, activate: Bool, now: Double) async throws -> WorkflowRecord?
    func discardProposal(_ id: String, now: Double) async throws -> Bool

    func recordLLMCall(_ call: LLMCallRecord) async throws
    /// Links the calls made since `since` for these purposes to a proposal (what its design cost).
    func attachLLMCalls(since: Double, purposeIn purposes: [String], toProposal id: String) async throws
    func llmCalls(limit: Int) async throws -> [LLMCallRecord]
    func llmCallTotals() async throws -> [(provider: String, outcome: String, calls: Int, promptTokens: Int, completionTokens: Int)]
    /// Per workflow, executions that succeeded and that finished (template recommendations weigh by them).
    func successCounts() async throws -> [String: (succeeded: Int, finished: Int)]
}
