import WindFlowCore

extension ExecutionStateMachine {
    /// The workflow node a key runs.
    public func node(_ key: NodeKey) -> WorkflowNode? {
        topology.indexByID[key.node].map { workflow.nodes[$0] }
    }

    /// The values expressions in `key`'s configuration can read: the trigger's output, the outputs of nodes finished
    /// in its frame and the frames around it, and `item` / `index` inside a loop.
    public func scopeRoots(for key: NodeKey) -> [String: JSONValue] {
        var roots: [String: JSONValue] = [:]
        if let trigger = triggerNode, let output = frames[FramePath()]?.outputs[trigger] { roots["trigger"] = output }
        var path = FramePath()
        for step in [nil] + key.frame.steps.map(Optional.some) {
            if let step { path = path.entering(step.loop, iteration: step.iteration) }
            guard let frame = frames[path] else { continue }
            roots.merge(frame.outputs) { _, inner in inner }
            if let item = frame.item { roots["item"] = item }
            if let index = frame.index { roots["index"] = .int(index) }
        }
        return roots
    }

    /// The outputs arriving at `key` over taken edges, in the order their sources finished (for merges).
    public func incomingOutputs(for key: NodeKey) -> [(source: String, output: JSONValue)] {
        guard let frame = frames[key.frame], let index = topology.indexByID[key.node] else { return [] }
        var found: [(String, JSONValue, Int)] = []
        for edgeIndex in topology.incoming(index, kind: frame.kind) where frame.edges[edgeIndex] == .taken {
            let source = workflow.edges[edgeIndex].source
            guard let output = frame.outputs[source] else { continue }
            found.append((source, output, frame.finishOrder[source] ?? 0))
        }
        return found.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }

    /// Attempts running now, as the state machine sees them (after a replay: those to start again).
    public var runningAttempts: [NodeKey: Int] {
        nodes.reduce(into: [:]) { result, entry in
            if case .running(let attempt) = entry.value { result[entry.key] = attempt }
        }
    }

    /// Nodes waiting for a time: retries after backoff and parked waits, with when they wake.
    public var pendingTimers: [(key: NodeKey, at: Double)] {
        nodes.compactMap { entry in
            switch entry.value {
            case .retrying(_, let at): return (entry.key, at)
            case .parked(let until, _): return (entry.key, until)
            default: return nil
            }
        }.sorted { $0.at < $1.at }
    }

    /// The output a finished node left in the top-level frame.
    public func output(of node: String) -> JSONValue? {
        frames[FramePath()]?.outputs[node]
    }

    /// Every top-level node output, by node id.
    public var outputs: [String: JSONValue] { frames[FramePath()]?.outputs ?? [:] }
}
