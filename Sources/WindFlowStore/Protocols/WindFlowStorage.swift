/// Everything WindFlow stores, for the callers that need all of it (the service). Most callers ask for less:
/// the engine for ``EngineStorage``, the designer for ``DesignerStore`` and ``WorkflowStore``.
public typealias WindFlowStorage = WorkflowStore & ExecutionStore & ExecutionQueue & ServiceStateStore & DesignerStore & AdviceStore
    & StoreTransfer

/// What the engine and its runtime (queue workers, schedules, file and event triggers) read and write.
public typealias EngineStorage = WorkflowStore & ExecutionStore & ExecutionQueue & ServiceStateStore

extension SQLiteStore: WorkflowStore, ExecutionStore, ExecutionQueue, ServiceStateStore, DesignerStore, AdviceStore {}
