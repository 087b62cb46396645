import Foundation
import WindFlowCore
import WindFlowStore

extension WorkflowEngine {
    /// The way a new execution starts, whatever started it (the API, a webhook, a schedule, a file, an event; a
    /// restart from a step and a failed run's error workflow are queued by ``restart(_:from:)`` and the failing
    /// commit instead):
    /// `trigger` must be an enabled trigger of the stored version, the version must be runnable (valid, every node
    /// type has an executor; checked once per version) and `input` a JSON object. The execution is committed to the
    /// queue before this returns, and an idle worker is woken.
    /// - Parameters:
    ///   - trigger: A trigger node id; nil picks the manual trigger, else the first one.
    ///   - idempotencyKey: Names this start (a client's `Idempotency-Key`, a schedule's due time, a file's change):
    ///     a start of the same workflow with a key already used answers the execution it started, and queues nothing.
    /// - Throws: ``EngineError`` when a check fails; a store error when the queue cannot be written.
    public func start(_ workflow: WorkflowRecord, trigger: String? = nil, input: JSONValue = [:], idempotencyKey: String? = nil) async throws -> ExecutionRecord {
        let node = try startingTrigger(workflow, trigger)
        guard case .object = input else { throw EngineError("the input of a run must be a JSON object, not \(input.jsonText.prefix(40))") }
        if let idempotencyKey, !Self.isValidIdempotencyKey(idempotencyKey) { throw EngineError(Self.idempotencyKeyRule) }
        let record = try await store.enqueueExecution(
            workflow: workflow, triggerNode: node, input: input, now: runner.clock.now(), restartedFrom: nil, restartNode: nil, id: nil,
            seed: [], idempotencyKey: idempotencyKey)
        signal.wake()
        return record
    }

    /// The longest idempotency key taken (like the `Idempotency-Key` headers of payment APIs).
    public static let maxIdempotencyKeyLength = 255

    /// A key is 1–255 visible ASCII characters.
    public static func isValidIdempotencyKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= maxIdempotencyKeyLength && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    public static let idempotencyKeyRule = "an idempotency key is 1 to \(maxIdempotencyKeyLength) visible ASCII characters (no spaces)"

    /// The prefix of the keys WindFlow gives its own starts (a schedule's fire, the runs an execution's end causes).
    /// A client's key may not start with it, so no request can take a start WindFlow will make.
    public static let reservedKeyPrefix = "windflow:"

    /// A key a client may send: a valid key outside WindFlow's own.
    public static func isValidClientIdempotencyKey(_ key: String) -> Bool {
        isValidIdempotencyKey(key) && !key.lowercased().hasPrefix(reservedKeyPrefix)
    }

    public static let clientIdempotencyKeyRule = idempotencyKeyRule + ", not starting with '\(reservedKeyPrefix)' (WindFlow's own keys)"

    /// Stores `workflow` (a new version if it changed) and starts it, as ``start(_:trigger:input:idempotencyKey:)`` does — for a
    /// workflow handed over whole (`windflow run file.yaml`).
    public func enqueue(_ workflow: Workflow, trigger: String? = nil, input: JSONValue = [:]) async throws -> ExecutionRecord {
        try checkRunnable(workflow)
        let stored = try await store.saveWorkflow(workflow, now: runner.clock.now())
        return try await start(stored, trigger: trigger, input: input)
    }

    /// The trigger an execution of `workflow` starts from, after the checks every start goes through.
    func startingTrigger(_ workflow: WorkflowRecord, _ wanted: String?) throws -> String {
        let triggers = workflow.workflow.nodes.filter { !$0.disabled && (NodeRegistry.standard.type($0.type)?.isTrigger ?? false) }
        let chosen = wanted ?? triggers.first(where: { $0.type == "trigger.manual" })?.id ?? triggers.first?.id
        guard let chosen, triggers.contains(where: { $0.id == chosen }) else {
            let names = triggers.map(\.id).joined(separator: ", ")
            throw EngineError("'\(wanted ?? "")' is not an enabled trigger of \(workflow.name); "
                + (names.isEmpty ? "it has none" : "its triggers are \(names)"))
        }
        if !runnable.contains(workflow.id, version: workflow.version) {
            try checkRunnable(workflow.workflow)
            runnable.insert(workflow.id, version: workflow.version)
        }
        return chosen
    }
}

/// The stored versions already found runnable; a version never changes, so each is checked once per process.
final class RunnableVersions: @unchecked Sendable {
    // Safe: `checked` is only touched while holding `lock`.
    private let lock = NSLock()
    private var checked: Set<String> = []

    func contains(_ workflow: String, version: Int) -> Bool { lock.withLock { checked.contains("\(workflow)@\(version)") } }
    func insert(_ workflow: String, version: Int) { _ = lock.withLock { checked.insert("\(workflow)@\(version)") } }
}
