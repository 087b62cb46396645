import WindFlowCore

extension ExecutionStateMachine {
    /// A loop node produced its items: run its body once per item, `parallel` at a time.
    mutating func startLoop(_ key: NodeKey, items: [JSONValue], parallel: Int, at: Double, into actions: inout [ExecutionAction]) {
        guard !items.isEmpty else {
            resolveSucceeded(key, output: ["results": [], "count": 0], branch: "done", into: &actions)
            return
        }
        nodes[key] = .iterating(LoopProgress(items: items, parallel: parallel, startedAt: at))
        startIterations(key, into: &actions)
    }

    private mutating func startIterations(_ loopKey: NodeKey, into actions: inout [ExecutionAction]) {
        guard case .iterating(var progress)? = nodes[loopKey], let loopIndex = topology.indexByID[loopKey.node] else { return }
        while progress.active < progress.parallel, progress.next < progress.items.count {
            let iteration = progress.next
            progress.next += 1
            progress.active += 1
            nodes[loopKey] = .iterating(progress)
            let path = loopKey.frame.entering(loopKey.node, iteration: iteration)
            frames[path] = Frame(path: path, kind: loopIndex, topology: topology, item: progress.items[iteration], index: iteration)
            let members = topology.members(loopIndex)
            for member in members { nodes[NodeKey(workflow.nodes[member].id, frame: path)] = .pending }
            if members.isEmpty {
                frameCompleted(path, into: &actions)
            } else {
                for member in members { evaluateReadiness(NodeKey(workflow.nodes[member].id, frame: path), into: &actions) }
            }
            guard case .iterating(let updated)? = nodes[loopKey] else { return }
            progress = updated
        }
    }

    /// Every node of a frame is resolved: the run succeeds (top level) or the iteration's outputs become a result.
    mutating func frameCompleted(_ path: FramePath, into actions: inout [ExecutionAction]) {
        guard let frame = frames[path] else { return }
        guard let step = path.steps.last else {
            if !status.isTerminal { finish(.succeeded, nil, into: &actions) }
            return
        }
        let loopKey = NodeKey(step.loop, frame: path.parent ?? FramePath())
        guard case .iterating(var progress)? = nodes[loopKey] else { return }
        progress.results[step.iteration] = .object(frame.outputs)
        progress.active -= 1
        frames[path] = nil
        nodes = nodes.filter { $0.key.frame != path }
        nodes[loopKey] = .iterating(progress)
        if progress.next < progress.items.count {
            startIterations(loopKey, into: &actions)
        } else if progress.active == 0 {
            let results = progress.results.map { $0 ?? .null }
            let output: JSONValue = ["results": .array(results), "count": .int(results.count)]
            actions.append(.completed(loopKey, output: output))
            resolveSucceeded(loopKey, output: output, branch: "done", into: &actions)
        }
    }

    /// Drops every frame of a loop (and frames nested in them), cancelling what runs there.
    mutating func abandonLoop(_ loopKey: NodeKey, into actions: inout [ExecutionAction]) {
        let prefix = loopKey.frame.steps.count
        func inside(_ path: FramePath) -> Bool {
            path.steps.count > prefix && Array(path.steps.prefix(prefix)) == loopKey.frame.steps
                && path.steps[prefix].loop == loopKey.node
        }
        let running = nodes.filter { inside($0.key.frame) && $0.value.isRunning }.map(\.key).sorted()
        runningCount -= running.count
        if !running.isEmpty { actions.append(.cancel(running)) }
        queue.removeAll { inside($0.frame) }
        nodes = nodes.filter { !inside($0.key.frame) }
        frames = frames.filter { !inside($0.key) }
    }
}
