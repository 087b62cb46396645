/// What the service keeps beside workflows and runs: API keys (only their hashes), secrets (write-only: values go to
/// runs, never back to API callers), stacks, schedule plans, file-trigger snapshots, and the figures of /metrics.
public protocol ServiceStateStore: Sendable {
    /// Makes a key and returns it; it is never readable again.
    func createAPIKey(name: String, now: Double) async throws -> String
    func isValidAPIKey(_ key: String) async throws -> Bool
    func apiKeys() async throws -> [(id: String, name: String, createdAt: Double)]
    /// Revokes a key by id; false when there is none; throws when it is the last one (which would lock the API).
    func revokeAPIKey(_ id: String) async throws -> Bool
    func apiKeyCount() async throws -> Int

    func setSecret(_ name: String, value: String, now: Double) async throws
    func deleteSecret(_ name: String) async throws -> Bool
    func secretNames() async throws -> [(name: String, updatedAt: Double)]
    /// The values, for runs and for redaction; never for an API answer.
    func secrets() async throws -> [String: String]

    /// Stores a stack file; true when it is new.
    func saveStack(_ name: String, definition: String, now: Double) async throws -> Bool
    func stack(_ name: String) async throws -> StackRecord?
    func stacks() async throws -> [StackRecord]
    func deleteStack(_ name: String) async throws -> Bool

    /// When a schedule trigger fires next, once planned.
    func nextFire(workflow: String, node: String) async throws -> Double?
    func setNextFire(workflow: String, node: String, at: Double) async throws
    /// What a file trigger saw last (JSON text), so changes made while the service was down still fire.
    func fileSnapshot(_ key: String) async throws -> String?
    func setFileSnapshot(_ key: String, _ snapshot: String, now: Double) async throws

    /// Executions by status and by trigger, the queue depth, and recent durations, for /metrics.
    func metrics() async throws -> (byStatus: [String: Int], byTrigger: [String: Int], queueDepth: Int, durations: [Double])
}
