import Foundation

/// A value derived from the active workflows (the webhook routing table, the event triggers), kept until they change:
/// ``WindFlowStore/WorkflowStore/activeWorkflowsGeneration()`` is the key.
public final class GenerationCache<Value: Sendable>: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var generation = ""
    private var value: Value?

    public init() {}

    public func table(for generation: String) -> Value? {
        lock.withLock { self.generation == generation ? value : nil }
    }

    public func store(_ value: Value, generation: String) {
        lock.withLock {
            self.value = value
            self.generation = generation
        }
    }
}
