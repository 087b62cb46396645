import WindFlowCore

/// What the advisors read from history (a node's failures and fixes, per-node statistics, inputs seen, branches
/// taken) and the suggestions they make, with their outcome once applied.
public protocol AdviceStore: Sendable {
    func nodeHistory(workflow id: String, node: String) throws -> NodeHistory
    /// Failures of this kind at this node before `version`, and how many of them a later version fixed.
    func precedent(workflow id: String, node: String, kind: FailureKind, before version: Int) throws -> (failed: Int, fixed: Int)?
    func nodeStatistics(workflow id: String) throws -> [String: NodeStatistics]
    func scheduleOverlaps(workflow id: String, limit: Int) throws -> (runs: Int, overlapping: Int, p95Seconds: Double?)
    func recentInputs(workflow id: String, nodeType: String, executions: Int) throws -> [String: [String: JSONValue]]
    func branchCounts(workflow id: String, node: String, limit: Int) throws -> [String: Int]

    func saveSuggestion(_ suggestion: SuggestionRecord) throws -> String
    func suggestion(_ id: String) throws -> SuggestionRecord?
    func suggestions(workflow: String?, execution: String?, limit: Int) throws -> [SuggestionRecord]
    /// Stores the patched workflow as a version and marks the suggestion applied, in one transaction.
    func applySuggestion(_ id: String, workflow: Workflow, now: Double) throws -> WorkflowRecord?
    /// Executions of the version a suggestion made: how many finished, how many succeeded.
    func outcome(of suggestion: SuggestionRecord) throws -> (succeeded: Int, finished: Int)?
}

extension AdviceStore {
    public func suggestions(workflow: String? = nil, execution: String? = nil) throws -> [SuggestionRecord] {
        try suggestions(workflow: workflow, execution: execution, limit: 50)
    }
    public func scheduleOverlaps(workflow id: String) throws -> (runs: Int, overlapping: Int, p95Seconds: Double?) {
        try scheduleOverlaps(workflow: id, limit: 1000)
    }
    public func recentInputs(workflow id: String, nodeType: String) throws -> [String: [String: JSONValue]] {
        try recentInputs(workflow: id, nodeType: nodeType, executions: 50)
    }
    public func branchCounts(workflow id: String, node: String) throws -> [String: Int] { try branchCounts(workflow: id, node: node, limit: 1000) }
}
