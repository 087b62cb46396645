/// Writes a workflow in its one canonical form: the `workflow:` wrapper, explicit edges, node settings at node
/// level, configuration keys in the order the node type declares them, and only non-default settings.
struct WorkflowEncoder {
    var registry: NodeRegistry

    func document(_ workflow: Workflow) -> Emitted {
        var body: [(String, Emitted)] = [("name", .scalar(.string(workflow.name)))]
        if !workflow.description.isEmpty { body.append(("description", .scalar(.string(workflow.description)))) }
        if !workflow.tags.isEmpty { body.append(("tags", .list(workflow.tags.map { .scalar(.string($0)) }))) }
        if !workflow.settings.isEmpty { body.append(("settings", settings(workflow.settings))) }
        body.append(("nodes", .list(workflow.nodes.map(node))))
        body.append(("edges", .list(workflow.edges.map(edge))))
        return .map([("workflow", .map(body))])
    }

    private func node(_ node: WorkflowNode) -> Emitted {
        var entries: [(String, Emitted)] = [("id", .scalar(.string(node.id))), ("type", .scalar(.string(node.type)))]
        if let name = node.name { entries.append(("name", .scalar(.string(name)))) }
        if !node.configuration.isEmpty { entries.append(("configuration", configuration(node))) }
        if node.errorHandling != .stop { entries.append(("error_handling", .scalar(.string(node.errorHandling.rawValue)))) }
        if node.retryCount != 0 { entries.append(("retry_count", .scalar(.int(node.retryCount)))) }
        if let retry = node.retry {
            entries.append(("retry", .map([
                ("initial_delay", number(retry.initialDelay)), ("factor", number(retry.factor)),
                ("max_delay", number(retry.maxDelay)), ("jitter", number(retry.jitter)),
            ])))
        }
        if let timeout = node.timeout { entries.append(("timeout", number(timeout))) }
        if let position = node.position {
            entries.append(("position", .map([("x", number(position.x)), ("y", number(position.y))])))
        }
        if node.disabled { entries.append(("disabled", .scalar(.bool(true)))) }
        if let notes = node.notes { entries.append(("notes", .scalar(.string(notes)))) }
        return .map(entries)
    }

    private func configuration(_ node: WorkflowNode) -> Emitted {
        let declared = registry.type(node.type)?.parameters.map(\.name) ?? []
        let known = declared.filter { node.configuration[$0] != nil }
        let others = node.configuration.keys.filter { !declared.contains($0) }.sorted()
        return .map((known + others).map { ($0, Emitted(node.configuration[$0]!)) })
    }

    private func edge(_ edge: Edge) -> Emitted {
        var entries: [(String, Emitted)] = [("source", .scalar(.string(edge.source))), ("target", .scalar(.string(edge.target)))]
        if let branch = edge.branch { entries.append(("branch", .scalar(.string(branch)))) }
        return .map(entries)
    }

    private func settings(_ settings: WorkflowSettings) -> Emitted {
        var entries: [(String, Emitted)] = []
        if let timezone = settings.timezone { entries.append(("timezone", .scalar(.string(timezone)))) }
        if let timeout = settings.timeout { entries.append(("timeout", number(timeout))) }
        if let maxParallel = settings.maxParallel { entries.append(("max_parallel", .scalar(.int(maxParallel)))) }
        if let errorWorkflow = settings.errorWorkflow { entries.append(("error_workflow", .scalar(.string(errorWorkflow)))) }
        return .map(entries)
    }

    /// Whole numbers are written as integers (`timeout: 300`), others as they are.
    private func number(_ value: Double) -> Emitted {
        if value.rounded() == value, abs(value) < 1e15 { return .scalar(.int(Int(value))) }
        return .scalar(.double(value))
    }
}
