import WindFlowCore

/// What the advisors read from history (a node's failures and fixes, per-node statistics, inputs seen, branches
/// taken) and the suggestions they make, with their outcome once applied.
public protocol AdviceStore: Sendable {
    func nodeHistory(workflow id: String, node: String) async throws -> NodeHistory
    /// Failures of this kind at this node before `version`, and how many of them a later version fixed.
    func precedent(workflow id: String, node: String, kind: FailureKind, before version: Int) async throws -> (failed: Int, fixed: Int)?
    func nodeStatistics(workflow id: String) async throws -> [String: NodeStatistics]
    func scheduleOverlaps(workflow id: String, limit: Int) async throws -> (runs: Int, overlapping: Int, p95Seconds: Double?)
    func recentInputs(workflow id: String, nodeType: String, executions: Int) async throws -> [String: [String: JSONValue]]
    func branchCounts(workflow id: String, node: String, limit: Int) async throws -> [String: Int]

    func saveSuggestion(_ suggestion: SuggestionRecord) async throws -> String
    func suggestion(_ id: String) async throws -> SuggestionRecord?
    func suggestions(workflow: String?, execution: String?, limit: Int) async throws -> [SuggestionRecord]
    /// Stores the patched workflow as a version and marks the suggestion applied, in one transaction.
    func applySuggestion(_ id: String, workflow: Workflow, now: Double) async throws -> WorkflowRecord?
    /// Executions of the version a suggestion made: how many finished, how many succeeded.
    func outcome(of suggestion: SuggestionRecord) async throws -> (succeeded: Int, finished: Int)?
}
