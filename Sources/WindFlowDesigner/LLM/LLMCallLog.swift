import Logging
import WindFlowStore

/// The store's log of model calls (what each cost and how long it took). Recording is best effort — a design does
/// not fail because its bookkeeping could not be written — but a failure to record is logged, not dropped.
enum LLMCallLog {
    static let logger = Logger(label: "windflow.designer")

    static func record(_ call: LLMCallRecord, in store: any DesignerStore) async {
        do { try await store.recordLLMCall(call) } catch {
            logger.warning("a model call could not be recorded", metadata: ["purpose": "\(call.purpose)", "error": "\(error)"])
        }
    }
}
