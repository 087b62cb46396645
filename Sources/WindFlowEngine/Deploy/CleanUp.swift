import Logging

/// Undoing after a failure (removing what a failed deployment created, a backup's helper container): the failure
/// being handled is what the caller reports, but an undo that fails too must not vanish — it goes to the node's log
/// (the user sees what was left behind) and to the process log.
func cleanUp(_ what: String, log: @Sendable (String) -> Void, _ operation: () async throws -> Void) async {
    do { try await operation() } catch {
        log("could not \(what): \(error); it may need removing by hand")
        Logger(label: "windflow.deploy").warning("clean-up failed", metadata: ["action": "\(what)", "error": "\(error)"])
    }
}
