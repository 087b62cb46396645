import Foundation
import WindFlowCore

/// Changes a workflow offline by the operations the prose names, keeping every node it does not touch: a step on
/// the failure of a named one ("also email ops@example.org when the fetch fails"), a step before, after or instead
/// of one, a step at the end ("also tell Slack"), removing or disabling one, a parameter's new value, a new
/// schedule. What it could not tell is said, and nothing else changes.
struct OfflineEditor {
    let registry: NodeRegistry
    let planner: OfflinePlanner

    struct Edit {
        var workflow: Workflow
        /// Each change made, in words.
        var changes: [String] = []
        var assumptions: [String] = []
    }

    func edit(_ current: Workflow, prose: String) -> Edit {
        var edit = Edit(workflow: current)
        let text = " " + prose.lowercased().replacingOccurrences(of: "’", with: "'") + " "
        let facts = ProseFacts(prose)
        if let match = CronPhrase.firstMatch(#"\b(?:remove|delete|drop|supprimer?|enlève|retire)\s+(?:the\s+|le\s+|la\s+|l')?([\w -]+?)(?:\s+step|\s+node|\s+étape)?\s*(?:[.,;]|$)"#, in: text),
            let id = node(named: match[0], in: edit.workflow) {
            remove(id, from: &edit)
            return edit
        }
        if let match = CronPhrase.firstMatch(#"\b(?:disable|turn off|désactive[rz]?)\s+(?:the\s+|le\s+|la\s+)?([\w -]+?)(?:\s+step|\s+node)?\s*(?:[.,;]|$)"#, in: text),
            let id = node(named: match[0], in: edit.workflow), let index = edit.workflow.nodes.firstIndex(where: { $0.id == id }) {
            edit.workflow.nodes[index].disabled = true
            edit.changes.append("disabled \(id)")
            return edit
        }
        var changed = false
        if let phrase = facts.schedule, let index = edit.workflow.nodes.firstIndex(where: { $0.type == "trigger.schedule" }) {
            let old = edit.workflow.nodes[index].configuration["schedule"]?.stringValue ?? ""
            if old != phrase.cron {
                edit.workflow.nodes[index].configuration["schedule"] = .string(phrase.cron)
                edit.changes.append("schedule \(old) → \(phrase.cron) (\(phrase.phrase))")
                changed = true
            }
        }
        if let match = CronPhrase.firstMatch(#"\b(?:set|change)\s+(?:the\s+)?([a-z_]+)\s+(?:of|on|for|in)\s+(?:the\s+)?([\w-]+)\s+to\s+([^\s,;]+)"#, in: text),
            let id = node(named: match[1], in: edit.workflow), let index = edit.workflow.nodes.firstIndex(where: { $0.id == id }) {
            let parameter = registry.type(edit.workflow.nodes[index].type)?.parameters.map(\.name).first { $0 == match[0] || $0.hasPrefix(match[0]) } ?? match[0]
            edit.workflow.nodes[index].configuration[parameter] = Self.value(match[2])
            edit.changes.append("\(id).\(parameter) → \(match[2])")
            changed = true
        }
        if let match = CronPhrase.firstMatch(#"\b([\w-]+)\s+instead of\s+([\w-]+)"#, in: text), replaceValue(match[1], with: match[0], in: &edit) {
            changed = true
        }
        // Steps to add: the actions the prose names (outside the phrase that names where), the new ones unless a
        // place is given.
        let failurePattern = #"(?:when|if|whenever|on failure of|si|quand)\s+(?:the\s+|le\s+|la\s+)?([\w -]+?)\s+(?:fails|failed|errors|breaks|échoue)"#
        let placePattern = #"\b(before|after|instead of|avant|après)\s+(?:the\s+|le\s+|la\s+)?([\w-]+)"#
        let failure = CronPhrase.firstMatch(failurePattern, in: text)
        let place = CronPhrase.firstMatch(placePattern, in: text)
        var rest = text
        for pattern in [failurePattern, placePattern] {
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let asked = ProseFacts(rest).actions.filter { !["logic.condition", "logic.loop", "logic.wait"].contains($0) }
        if !asked.isEmpty, CronPhrase.firstMatch(#"\b(also|add|then|and|aussi|ajoute|puis|plus)\b"#, in: text) != nil || !changed {
            var adding = asked
            if failure == nil, place == nil {
                // Only what is new: "also back up before deploying" on a workflow that deploys adds the backup.
                let present = Set(edit.workflow.nodes.map(\.type))
                adding = asked.filter { !present.contains($0) || $0 == "integration.notification" }
            }
            guard !adding.isEmpty else { return finished(edit, prose: prose) }
            let nodes = adding.map { type -> WorkflowNode in
                var node = WorkflowNode(id: OfflinePlanner.uniqueID(for: type, in: edit.workflow.nodes), type: type,
                                        configuration: planner.starter(type, facts: facts, assumptions: &edit.assumptions))
                if type == "integration.notification" { OfflinePlanner.completeChannels(&node, facts: facts, registry: planner.registry) }
                return node
            }
            if let failure {
                let target = node(named: failure[0], in: edit.workflow) ?? lastAction(in: edit.workflow)
                guard let target else { return finished(edit, prose: prose) }
                onFailure(of: target, add: nodes, to: &edit)
            } else if let place, let anchor = node(named: place[1], in: edit.workflow) {
                switch place[0] {
                case "before", "avant": insert(nodes, before: anchor, in: &edit)
                case "instead of": replace(anchor, with: nodes, in: &edit)
                default: insert(nodes, after: anchor, in: &edit)
                }
            } else {
                append(nodes, to: &edit)
            }
        }
        return finished(edit, prose: prose)
    }

    private func finished(_ edit: Edit, prose: String) -> Edit {
        var edit = edit
        if edit.changes.isEmpty {
            edit.assumptions.append("offline, no change could be read from \"\(prose)\"; nothing was changed. Name the step and what to do: \"add … after fetch\", \"also … when backup fails\", \"remove notify\", \"set timeout of fetch to 30\"")
        }
        return edit
    }

    // MARK: - Operations

    private func onFailure(of target: String, add nodes: [WorkflowNode], to edit: inout Edit) {
        guard let index = edit.workflow.nodes.firstIndex(where: { $0.id == target }) else { return }
        edit.workflow.nodes[index].errorHandling = .branch
        chain(nodes, into: &edit.workflow)
        edit.workflow.edges.append(Edge(source: target, target: nodes[0].id, branch: "error"))
        edit.changes.append("when \(target) fails: \(nodes.map(\.id).joined(separator: ", "))")
    }

    private func insert(_ nodes: [WorkflowNode], after anchor: String, in edit: inout Edit) {
        let outgoing = edit.workflow.edges.indices.filter { edit.workflow.edges[$0].source == anchor && edit.workflow.edges[$0].branch == nil }
        chain(nodes, into: &edit.workflow)
        for index in outgoing { edit.workflow.edges[index].source = nodes.last!.id }
        edit.workflow.edges.append(Edge(source: anchor, target: nodes[0].id))
        edit.changes.append("after \(anchor): \(nodes.map(\.id).joined(separator: ", "))")
    }

    private func insert(_ nodes: [WorkflowNode], before anchor: String, in edit: inout Edit) {
        let incoming = edit.workflow.edges.indices.filter { edit.workflow.edges[$0].target == anchor }
        chain(nodes, into: &edit.workflow)
        for index in incoming { edit.workflow.edges[index].target = nodes[0].id }
        edit.workflow.edges.append(Edge(source: nodes.last!.id, target: anchor))
        edit.changes.append("before \(anchor): \(nodes.map(\.id).joined(separator: ", "))")
    }

    private func replace(_ anchor: String, with nodes: [WorkflowNode], in edit: inout Edit) {
        insert(nodes, before: anchor, in: &edit)
        edit.changes.removeLast()
        remove(anchor, from: &edit)
        edit.changes[edit.changes.count - 1] = "\(anchor) replaced by \(nodes.map(\.id).joined(separator: ", "))"
    }

    /// After the leaves of the main flow: the steps that end it (stops and error branches aside).
    private func append(_ nodes: [WorkflowNode], to edit: inout Edit) {
        let errorTargets = Set(edit.workflow.edges.filter { $0.branch == "error" }.map(\.target))
        let leaves = edit.workflow.nodes.filter { node in
            node.type != "logic.stop" && !errorTargets.contains(node.id)
                && !edit.workflow.edges.contains { $0.source == node.id && $0.branch != "error" }
        }.map(\.id)
        chain(nodes, into: &edit.workflow)
        for leaf in leaves.isEmpty ? [edit.workflow.nodes.first!.id] : leaves {
            let type = edit.workflow.node(leaf).flatMap { registry.type($0.type) }
            let branch: String? = type?.id == "logic.condition" ? "true" : type?.id == "logic.loop" ? "done" : nil
            edit.workflow.edges.append(Edge(source: leaf, target: nodes[0].id, branch: branch))
        }
        edit.changes.append("at the end: \(nodes.map(\.id).joined(separator: ", "))")
    }

    private func remove(_ id: String, from edit: inout Edit) {
        let incoming = edit.workflow.edges.filter { $0.target == id }
        let outgoing = edit.workflow.edges.filter { $0.source == id && $0.branch == nil }.map(\.target)
        edit.workflow.nodes.removeAll { $0.id == id }
        edit.workflow.edges.removeAll { $0.source == id || $0.target == id }
        for edge in incoming {
            for target in outgoing where !edit.workflow.edges.contains(where: { $0.source == edge.source && $0.target == target }) {
                edit.workflow.edges.append(Edge(source: edge.source, target: target, branch: edge.branch))
            }
        }
        edit.changes.append("removed \(id)")
    }

    private func replaceValue(_ old: String, with new: String, in edit: inout Edit) -> Bool {
        var replaced: [String] = []
        for index in edit.workflow.nodes.indices {
            for (key, value) in edit.workflow.nodes[index].configuration where value.stringValue?.lowercased() == old {
                edit.workflow.nodes[index].configuration[key] = .string(new)
                replaced.append("\(edit.workflow.nodes[index].id).\(key)")
            }
        }
        if !replaced.isEmpty { edit.changes.append("\(old) → \(new) in \(replaced.joined(separator: ", "))") }
        return !replaced.isEmpty
    }

    private func chain(_ nodes: [WorkflowNode], into workflow: inout Workflow) {
        workflow.nodes += nodes
        for (first, second) in zip(nodes, nodes.dropFirst()) { workflow.edges.append(Edge(source: first.id, target: second.id)) }
    }

    // MARK: - Finding the step a phrase names

    /// The node a phrase names: by id, display name, or what its type does ("the fetch" → integration.http).
    func node(named phrase: String, in workflow: Workflow) -> String? {
        let words = phrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).map(String.init)
            .filter { !["the", "step", "node", "it", "le", "la"].contains($0) }
        guard !words.isEmpty else { return nil }
        let joined = words.joined(separator: "_")
        if let exact = workflow.nodes.first(where: { $0.id == joined }) { return exact.id }
        var best: (String, Int)?
        for node in workflow.nodes where registry.type(node.type)?.isTrigger != true {
            let haystack = ([node.id, node.name ?? "", node.type] + (Self.typeWords[node.type] ?? [])).joined(separator: " ").lowercased()
            let score = words.filter { word in haystack.contains(word) || haystack.contains(TextIndex.stem(word)) }.count
            if score > (best?.1 ?? 0) { best = (node.id, score) }
        }
        return best?.0
    }

    private func lastAction(in workflow: Workflow) -> String? {
        workflow.nodes.last { registry.type($0.type)?.isTrigger != true && $0.type != "logic.stop" }?.id
    }

    /// What people call each type's step.
    static let typeWords: [String: [String]] = [
        "integration.http": ["fetch", "request", "call", "ping", "probe", "api", "download", "get"],
        "windflow.backup_data": ["backup", "back up", "sauvegarde", "archive"],
        "windflow.deploy_stack": ["deploy", "deployment", "release", "rollout", "déploiement"],
        "integration.script": ["script", "tests", "test", "build", "command"],
        "integration.notification": ["notify", "notification", "alert", "message", "email", "slack"],
        "windflow.health_check": ["health", "check", "smoke"],
        "integration.database": ["query", "database", "sql", "report"],
        "integration.git": ["git", "pull", "clone", "checkout"],
        "windflow.scale_service": ["scale", "scaling"],
        "windflow.get_metrics": ["metrics", "load", "cpu"],
        "windflow.validate_stack": ["validate", "validation", "lint"],
    ]

    /// A value as written in the prose: a number, a boolean, or text.
    static func value(_ text: String) -> JSONValue {
        if let number = Int(text) { return .int(number) }
        if let number = Double(text) { return .double(number) }
        if text == "true" || text == "false" { return .bool(text == "true") }
        return .string(text.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
    }
}
