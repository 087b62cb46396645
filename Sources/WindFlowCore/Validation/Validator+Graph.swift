extension ValidationRun {
    mutating func checkEdges() {
        var seen: Set<Edge> = []
        let ids = workflow.nodes.map(\.id)
        for (index, edge) in workflow.edges.enumerated() {
            let path = "edges[\(index)]"
            let sourceKnown = graph.indexByID[edge.source] != nil
            let targetKnown = graph.indexByID[edge.target] != nil
            if !sourceKnown {
                report(.unknownEdgeSource, "\(path).source",
                       edge.source.isEmpty ? "the edge has no source" : "the edge starts at '\(edge.source)', which is not a node of this workflow",
                       suggestion: Self.didYouMean(edge.source, ids, orElse: "define a node with id '\(edge.source)' or fix the source"))
            }
            if !targetKnown {
                let from = edge.branch.map { "'\(edge.source)' (\($0))" } ?? "'\(edge.source)'"
                report(.unknownEdgeTarget, "\(path).target",
                       edge.target.isEmpty ? "the edge from \(from) has no target"
                        : "the edge from \(from) leads to '\(edge.target)', which is not a node of this workflow",
                       suggestion: Self.didYouMean(edge.target, ids, orElse: "define a node with id '\(edge.target)' or remove the edge"),
                       node: sourceKnown ? edge.source : nil)
            }
            if !seen.insert(edge).inserted {
                report(.duplicateEdge, path, "the edge \(edge.source) → \(edge.target) is listed twice", suggestion: "remove one",
                       node: edge.source)
            }
            if let sourceIndex = graph.indexByID[edge.source], let type = types[sourceIndex] {
                let node = workflow.nodes[sourceIndex]
                checkBranch(edge, path: path, node: node, type: type)
            }
        }
    }

    private mutating func checkBranch(_ edge: Edge, path: String, node: WorkflowNode, type: NodeType) {
        let branches = Self.branchNames(of: node, type: type)
        guard let branch = edge.branch else {
            if !branches.isEmpty {
                report(.missingBranch, "\(path).branch",
                       "edges leaving \(type.displayName.lowercased()) '\(node.id)' must say which output they leave from: \(branches.joined(separator: ", "))",
                       suggestion: "add branch: \(branches[0])", node: node.id)
            }
            return
        }
        if branch == "error" || branches.contains(branch) { return }
        let message: String
        if branches.isEmpty {
            message = "\(type.id) '\(node.id)' has one output; it has no branch '\(branch)'"
        } else {
            message = "\(type.id) '\(node.id)' has no output '\(branch)'; its outputs are \(branches.joined(separator: ", "))"
        }
        let suggestion = Self.didYouMean(branch, branches + ["error"], orElse: branches.isEmpty ? "remove branch" : "use one of: \(branches.joined(separator: ", "))")
        report(.unknownBranch, "\(path).branch", message, suggestion: suggestion, node: node.id)
    }

    /// The named outputs a node has (empty for a single main output); `error` is always possible besides.
    static func branchNames(of node: WorkflowNode, type: NodeType) -> [String] {
        switch type.branches {
        case .main: return []
        case .named(let names): return names
        case .cases(let parameter, let fallback):
            let cases = node.configuration[parameter]?.arrayValue ?? []
            return cases.compactMap { $0["name"]?.stringValue } + [fallback]
        }
    }

    mutating func checkTriggers() {
        var triggerCount = 0
        for (index, node) in workflow.nodes.enumerated() {
            let isTrigger = types[index]?.isTrigger ?? false
            guard isTrigger else { continue }
            triggerCount += 1
            if let edgeIndex = graph.incoming[index].first {
                report(.triggerHasIncomingEdges, "edges[\(edgeIndex)].target",
                       "trigger '\(node.id)' starts the workflow, so no edge may lead into it (one comes from '\(workflow.edges[edgeIndex].source)')",
                       suggestion: "remove the edge, or point it at the step after the trigger", node: node.id)
            }
        }
        // A misspelt trigger type is already reported as an unknown type.
        let misspeltTrigger = workflow.nodes.indices.contains { types[$0] == nil && workflow.nodes[$0].type.hasPrefix("trigger") }
        if triggerCount == 0, !misspeltTrigger {
            report(.noTrigger, "nodes", "the workflow has no trigger, so nothing would ever start it",
                   suggestion: "add a first node of type trigger.manual (or schedule, webhook, event, file) and an edge from it")
        }
    }

    mutating func checkCycles() {
        for (index, edge) in workflow.edges.enumerated() where edge.source == edge.target && graph.indexByID[edge.source] != nil {
            report(.cycle, "edges[\(index)]", "node '\(edge.source)' leads to itself",
                   suggestion: "to repeat work, put it in the body of a logic.loop", node: edge.source)
        }
        let (_, cyclic) = graph.topologicalOrder()
        guard !cyclic.isEmpty, let cycle = graph.findCycle(among: cyclic), cycle.count > 1 else { return }
        let names = cycle.map { workflow.nodes[$0].id }
        let closing = graph.forwardOutgoing(cycle.last!).first { graph.target(of: $0) == cycle.first! }
        report(.cycle, closing.map { "edges[\($0)]" } ?? "edges",
               "the workflow loops: \((names + [names[0]]).joined(separator: " → ")); a workflow must not run forever",
               suggestion: "remove the edge \(names.last!) → \(names[0]), or use a logic.loop to repeat steps over a list",
               node: names.last)
    }

    mutating func checkReachability() {
        let triggers = workflow.nodes.indices.filter { types[$0]?.isTrigger ?? false }
        guard !triggers.isEmpty else { return }
        let reached = graph.reachable(from: triggers)
        for (index, node) in workflow.nodes.enumerated() where !reached.contains(index) && !triggers.contains(index) {
            report(.unreachableNode, "nodes[\(index)]", "no path from a trigger reaches node '\(node.id)', so it never runs",
                   suggestion: "add an edge into '\(node.id)' from the step that should come before it", node: node.id)
        }
    }

    static func didYouMean(_ word: String, _ candidates: [String], orElse fallback: String) -> String {
        closestMatch(to: word, among: candidates).map { "did you mean '\($0)'?" } ?? fallback
    }
}
