/// What the service keeps beside workflows and runs: API keys (only their hashes), secrets (write-only: values go to
/// runs, never back to API callers), stacks, schedule plans, file-trigger snapshots, and the figures of /metrics.
public protocol ServiceStateStore: Sendable {
    /// Makes a key and returns it; it is never readable again.
    func createAPIKey(name: String, now: Double) throws -> String
    func isValidAPIKey(_ key: String) throws -> Bool
    func apiKeys() throws -> [(id: String, name: String, createdAt: Double)]
    /// Revokes a key by id; false when there is none (or it is the last one).
    func revokeAPIKey(_ id: String) throws -> Bool
    func apiKeyCount() throws -> Int

    func setSecret(_ name: String, value: String, now: Double) throws
    func deleteSecret(_ name: String) throws -> Bool
    func secretNames() throws -> [(name: String, updatedAt: Double)]
    /// The values, for runs and for redaction; never for an API answer.
    func secrets() throws -> [String: String]

    /// Stores a stack file; true when it is new.
    func saveStack(_ name: String, definition: String, now: Double) throws -> Bool
    func stack(_ name: String) throws -> StackRecord?
    func stacks() throws -> [StackRecord]
    func deleteStack(_ name: String) throws -> Bool

    /// When a schedule trigger fires next, once planned.
    func nextFire(workflow: String, node: String) throws -> Double?
    func setNextFire(workflow: String, node: String, at: Double) throws
    /// What a file trigger saw last (JSON text), so changes made while the service was down still fire.
    func fileSnapshot(_ key: String) throws -> String?
    func setFileSnapshot(_ key: String, _ snapshot: String, now: Double) throws

    /// Executions by status and by trigger, the queue depth, and recent durations, for /metrics.
    func metrics() throws -> (byStatus: [String: Int], byTrigger: [String: Int], queueDepth: Int, durations: [Double])
}
