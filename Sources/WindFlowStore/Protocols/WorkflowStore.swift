import WindFlowCore

/// Workflows and their versions. A version, once stored, never changes: saving a changed workflow adds a version,
/// saving an unchanged one returns the stored one.
public protocol WorkflowStore: Sendable {
    /// Stores `workflow` under its name: a new workflow, a new version of a changed one, or the stored one unchanged.
    func saveWorkflow(_ workflow: Workflow, now: Double) async throws -> WorkflowRecord
    /// The newest version (or `version`) of the workflow with this id or name.
    func workflow(_ idOrName: String, version: Int?) async throws -> WorkflowRecord?
    /// The newest version of every workflow (only the active ones when `activeOnly`), by name.
    func workflows(activeOnly: Bool) async throws -> [WorkflowRecord]
    /// Every version, oldest first, with its definition as stored.
    func versions(of idOrName: String) async throws -> [(version: Int, createdAt: Double, definition: String)]
    /// Deletes the workflow, its versions and its history; false when there is none.
    func deleteWorkflow(_ idOrName: String) async throws -> Bool
    /// Turns the workflow's triggers on or off; false when there is no such workflow.
    func setActive(_ idOrName: String, _ active: Bool, now: Double) async throws -> Bool
    /// Changes whenever the set of active workflows or their versions change (in any process sharing the store):
    /// the key of caches derived from them (webhook routes, event triggers).
    func activeWorkflowsGeneration() async throws -> String
}
