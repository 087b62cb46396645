import Foundation
import WindFlowCore

/// Deterministic repairs for the mistakes models make most, applied only where the intent is unambiguous: a node
/// type spelled another way, ids that are not identifiers, edges to misspelled ids, a missing trigger, a workflow
/// without edges, a parameter under a near name, a scalar where a list is wanted, a schedule in words.
/// Every change is described, and the result is validated again by the caller.
public struct AutoFixer: Sendable {
    public let registry: NodeRegistry

    public init(registry: NodeRegistry = .standard) {
        self.registry = registry
    }

    /// Words models use for node types, by the registry id they mean.
    static let typeAliases: [String: String] = [
        "http": "integration.http", "http_request": "integration.http", "request": "integration.http", "api": "integration.http",
        "api_call": "integration.http", "rest": "integration.http", "curl": "integration.http",
        "slack": "integration.notification", "email": "integration.notification", "mail": "integration.notification",
        "notify": "integration.notification", "notification": "integration.notification", "send_email": "integration.notification",
        "alert": "integration.notification", "teams": "integration.notification",
        "shell": "integration.script", "bash": "integration.script", "command": "integration.script", "script": "integration.script",
        "run_script": "integration.script", "exec": "integration.script", "run": "integration.script",
        "sql": "integration.database", "database": "integration.database", "postgres": "integration.database", "query": "integration.database",
        "git": "integration.git", "prometheus": "integration.monitoring", "monitoring": "integration.monitoring",
        "if": "logic.condition", "condition": "logic.condition", "branch": "logic.condition", "switch": "logic.switch",
        "loop": "logic.loop", "foreach": "logic.loop", "for_each": "logic.loop", "wait": "logic.wait", "delay": "logic.wait",
        "sleep": "logic.wait", "merge": "logic.merge", "join": "logic.merge", "stop": "logic.stop", "end": "logic.stop",
        "cron": "trigger.schedule", "schedule": "trigger.schedule", "timer": "trigger.schedule", "webhook": "trigger.webhook",
        "manual": "trigger.manual", "start": "trigger.manual", "event": "trigger.event", "file": "trigger.file",
        "file_watch": "trigger.file", "deploy": "windflow.deploy_stack", "deployment": "windflow.deploy_stack",
        "scale": "windflow.scale_service", "backup": "windflow.backup_data", "metrics": "windflow.get_metrics",
        "healthcheck": "windflow.health_check", "certificates": "windflow.renew_certificates",
    ]

    /// Parameter names models use, by the name the registry has.
    static let parameterAliases: [String: String] = [
        "cron": "schedule", "cron_expression": "schedule", "expression": "condition", "endpoint": "url", "sql": "query",
        "command": "script", "commands": "script", "text": "message", "body_text": "message", "channel": "channels", "path": "webhook_path",
        "seconds": "duration", "delay": "duration", "replica_count": "replicas", "stack": "stack_id",
        "stack_name": "stack_id", "service": "service_id", "service_name": "service_id", "env": "environment",
    ]

    public func fix(_ original: Workflow) -> (workflow: Workflow, fixes: [String]) {
        var workflow = original
        var fixes: [String] = []
        fixNodeTypes(&workflow, &fixes)
        fixIDs(&workflow, &fixes)
        fixParameters(&workflow, &fixes)
        fixTrigger(&workflow, &fixes)
        fixEdges(&workflow, &fixes)
        connectLooseNodes(&workflow, &fixes)
        return (workflow, fixes)
    }

    /// The request's own schedule words win over the model's cron: "every weekday at 8:30" is `30 8 * * 1-5`
    /// whatever the model wrote. Only for one schedule trigger and a phrase read without assumptions.
    public static func alignSchedule(_ workflow: inout Workflow, withRequest prose: String) -> [String] {
        let schedules = workflow.nodes.indices.filter { workflow.nodes[$0].type == "trigger.schedule" }
        guard schedules.count == 1, let phrase = CronPhrase.parse(prose), phrase.assumption == nil else { return [] }
        let index = schedules[0]
        let written = workflow.nodes[index].configuration["schedule"]?.stringValue
        guard written?.split(separator: " ").joined(separator: " ") != phrase.cron else { return [] }
        workflow.nodes[index].configuration["schedule"] = .string(phrase.cron)
        return ["\(workflow.nodes[index].id): schedule '\(written ?? "")' → '\(phrase.cron)' (the request says \(phrase.phrase))"]
    }

    // MARK: Node types

    func resolveType(_ written: String) -> String? {
        if registry.type(written) != nil { return written }
        let lowered = written.lowercased().trimmingCharacters(in: .whitespaces)
        if registry.type(lowered) != nil { return lowered }
        let last = Validator.normalizedID(String(lowered.split(separator: ".").last ?? Substring(lowered)))
        if let alias = Self.typeAliases[last] ?? Self.typeAliases[Validator.normalizedID(lowered)] { return alias }
        if let suffixed = registry.ids.first(where: { $0.hasSuffix("." + last) }) { return suffixed }
        return registry.closestType(to: lowered)
    }

    private func fixNodeTypes(_ workflow: inout Workflow, _ fixes: inout [String]) {
        for index in workflow.nodes.indices where registry.type(workflow.nodes[index].type) == nil {
            let node = workflow.nodes[index]
            guard let resolved = resolveType(node.type) else { continue }
            workflow.nodes[index].type = resolved
            fixes.append("\(node.id): type '\(node.type)' → '\(resolved)'")
            // "slack" or "email" as a type says which channel a notification uses.
            let word = node.type.lowercased()
            if resolved == "integration.notification", node.configuration["channels"] == nil {
                let channel = word.contains("slack") ? "slack" : word.contains("mail") ? "email" : word.contains("teams") ? "teams" : nil
                if let channel { workflow.nodes[index].configuration["channels"] = [.string(channel)] }
            }
        }
    }

    // MARK: Ids

    private func fixIDs(_ workflow: inout Workflow, _ fixes: inout [String]) {
        var used: Set<String> = []
        var renames: [(String, String)] = []
        for index in workflow.nodes.indices {
            let old = workflow.nodes[index].id
            var new = Validator.isValidID(old) && !Validator.reservedIDs.contains(old) ? old : Validator.normalizedID(old)
            if new.isEmpty || Validator.reservedIDs.contains(new) { new = "step_\(index + 1)" }
            let base = new
            var suffix = 2
            while used.contains(new) {
                new = "\(base)_\(suffix)"
                suffix += 1
            }
            used.insert(new)
            guard new != old else { continue }
            workflow.nodes[index].id = new
            renames.append((old, new))
            fixes.append("id '\(old)' → '\(new)'")
        }
        for (old, new) in renames {
            for edge in workflow.edges.indices {
                if workflow.edges[edge].source == old { workflow.edges[edge].source = new }
                if workflow.edges[edge].target == old { workflow.edges[edge].target = new }
            }
            for node in workflow.nodes.indices {
                workflow.nodes[node].configuration = workflow.nodes[node].configuration.mapValues { Self.renameReferences($0, from: old, to: new) }
            }
        }
    }

    /// `{{ old.field }}` → `{{ new.field }}` inside placeholders only.
    static func renameReferences(_ value: JSONValue, from old: String, to new: String) -> JSONValue {
        switch value {
        case .string(let text) where text.contains("{{"):
            let pattern = "(?<![A-Za-z0-9_.])" + NSRegularExpression.escapedPattern(for: old) + "\\."
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return value }
            return .string(regex.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: NSRegularExpression.escapedTemplate(for: new) + "."))
        case .array(let elements): return .array(elements.map { renameReferences($0, from: old, to: new) })
        case .object(let members): return .object(members.mapValues { renameReferences($0, from: old, to: new) })
        default: return value
        }
    }

    // MARK: Parameters

    private func fixParameters(_ workflow: inout Workflow, _ fixes: inout [String]) {
        for index in workflow.nodes.indices {
            guard let type = registry.type(workflow.nodes[index].type) else { continue }
            let node = workflow.nodes[index]
            let known = type.parameters.map(\.name)
            for (name, value) in node.configuration where type.parameter(name) == nil {
                let target = Self.parameterAliases[name].flatMap { type.parameter($0) != nil ? $0 : nil } ?? closestMatch(to: name, among: known)
                guard let target, workflow.nodes[index].configuration[target] == nil else { continue }
                workflow.nodes[index].configuration[target] = value
                workflow.nodes[index].configuration[name] = nil
                fixes.append("\(node.id): parameter '\(name)' → '\(target)'")
            }
            for parameter in type.parameters {
                guard let value = workflow.nodes[index].configuration[parameter.name] else { continue }
                if case .list = parameter.type, case .string(let text) = value, !Template.containsPlaceholder(text) {
                    let items = text.split(separator: ",").map { JSONValue.string($0.trimmingCharacters(in: .whitespaces)) }
                    workflow.nodes[index].configuration[parameter.name] = .array(items)
                    fixes.append("\(node.id): '\(parameter.name)' made a list")
                }
                if parameter.type == .cron, case .string(let text) = value, (try? CronExpression(text)) == nil,
                    let phrase = CronPhrase.parse(text)
                {
                    workflow.nodes[index].configuration[parameter.name] = .string(phrase.cron)
                    fixes.append("\(node.id): schedule '\(text)' → '\(phrase.cron)'")
                }
            }
        }
    }

    // MARK: Graph

    private func fixTrigger(_ workflow: inout Workflow, _ fixes: inout [String]) {
        let triggers = Set(workflow.nodes.filter { registry.type($0.type)?.isTrigger == true }.map(\.id))
        if triggers.isEmpty, !workflow.nodes.isEmpty {
            let targets = Set(workflow.edges.map(\.target))
            var id = "start"
            while workflow.node(id) != nil { id += "_" }
            let roots = workflow.nodes.filter { !targets.contains($0.id) }.map(\.id)
            workflow.nodes.insert(WorkflowNode(id: id, type: "trigger.manual", name: "Start"), at: 0)
            // With no edges at all, the chain below starts from the new trigger.
            if !workflow.edges.isEmpty { workflow.edges.insert(contentsOf: roots.map { Edge(source: id, target: $0) }, at: 0) }
            fixes.append("added a manual trigger '\(id)' (the workflow had none)")
            return
        }
        let before = workflow.edges.count
        workflow.edges.removeAll { triggers.contains($0.target) }
        if workflow.edges.count < before { fixes.append("removed \(before - workflow.edges.count) edge(s) into a trigger") }
        if let first = workflow.nodes.firstIndex(where: { triggers.contains($0.id) }), first > 0 {
            workflow.nodes.insert(workflow.nodes.remove(at: first), at: 0)
        }
    }

    private func fixEdges(_ workflow: inout Workflow, _ fixes: inout [String]) {
        let ids = workflow.nodes.map(\.id)
        var seen: Set<Edge> = []
        var kept: [Edge] = []
        for var edge in workflow.edges {
            for keyPath in [\Edge.source, \Edge.target] where !ids.contains(edge[keyPath: keyPath]) {
                let written = edge[keyPath: keyPath]
                if let near = closestMatch(to: Validator.normalizedID(written), among: ids) {
                    edge[keyPath: keyPath] = near
                    fixes.append("edge end '\(written)' → '\(near)'")
                }
            }
            guard ids.contains(edge.source), ids.contains(edge.target) else {
                fixes.append("dropped the edge \(edge.source) → \(edge.target): no such node")
                continue
            }
            if edge.source == edge.target {
                fixes.append("dropped the edge from '\(edge.source)' to itself")
                continue
            }
            if let branch = edge.branch, let type = workflow.node(edge.source).flatMap({ registry.type($0.type) }) {
                edge.branch = normalizedBranch(branch, type: type)
                if edge.branch != branch { fixes.append("\(edge.source) → \(edge.target): branch '\(branch)' → '\(edge.branch ?? "main")'") }
            }
            if seen.insert(edge).inserted { kept.append(edge) }
        }
        workflow.edges = kept
        // "If X, then Y": the one edge leaving a condition without a branch is its true branch.
        for node in workflow.nodes where node.type == "logic.condition" {
            let leaving = workflow.edges.indices.filter { workflow.edges[$0].source == node.id }
            guard leaving.count == 1, workflow.edges[leaving[0]].branch == nil else { continue }
            workflow.edges[leaving[0]].branch = "true"
            fixes.append("\(node.id) → \(workflow.edges[leaving[0]].target): the condition's only edge is its 'true' branch")
        }
    }

    private func normalizedBranch(_ branch: String, type: NodeType) -> String? {
        let lowered = branch.lowercased().trimmingCharacters(in: .whitespaces)
        if lowered.isEmpty || lowered == "main" || lowered == "default" && type.branches == .main { return nil }
        if case .named(let names) = type.branches {
            if names.contains(lowered) { return lowered }
            if names.contains("true") {
                if ["yes", "then", "if_true", "success", "ok", "pass", "passed"].contains(lowered) { return "true" }
                if ["no", "else", "if_false", "failure", "fail", "failed", "otherwise"].contains(lowered) { return "false" }
            }
            if names.contains("loop"), ["each", "body", "item", "iteration"].contains(lowered) { return "loop" }
            if names.contains("done"), ["after", "end", "finished", "complete", "completed"].contains(lowered) { return "done" }
        }
        if ["failure", "on_error", "catch", "failed"].contains(lowered) { return "error" }
        return branch
    }

    /// With no edges at all, nodes listed in order are a sequence; a node left with no edges follows the leaf listed
    /// before it. Never through a node whose outputs are named (which branch would be a guess).
    private func connectLooseNodes(_ workflow: inout Workflow, _ fixes: inout [String]) {
        guard workflow.nodes.count >= 2 else { return }
        let connected = Set(workflow.edges.flatMap { [$0.source, $0.target] })
        var added: [String] = []
        for index in 1..<workflow.nodes.count where !connected.contains(workflow.nodes[index].id) {
            let node = workflow.nodes[index]
            if registry.type(node.type)?.isTrigger == true { continue }
            let previous = workflow.nodes[index - 1]
            guard registry.type(previous.type)?.branches == .main,
                !workflow.edges.contains(where: { $0.source == previous.id })
            else { continue }
            workflow.edges.append(Edge(source: previous.id, target: node.id))
            added.append("\(previous.id) → \(node.id)")
        }
        if !added.isEmpty { fixes.append("connected in listed order: " + added.joined(separator: ", ")) }
    }
}
