/// Reads the seed's workflow format (YAML or JSON) into a ``Workflow``, accepting its shorthands and collecting
/// shape problems instead of stopping at the first.
struct WorkflowDecoder {
    private var problems: [Problem] = []
    private var sourceMap = SourceMap()
    /// Nodes whose condition shorthand (`true_branch` / `false_branch`) already says where they lead.
    private var nodesWithShorthandBranches: Set<String> = []

    static let documentFields = ["name", "description", "tags", "settings", "trigger", "nodes", "edges"]
    static let nodeFields = [
        "id", "type", "name", "configuration", "error_handling", "retry_count", "retry", "timeout", "position",
        "disabled", "notes",
    ]
    /// Node settings the seed sometimes writes inside `configuration` (template 1's `retry_count: 5`).
    static let settingsAcceptedInConfiguration = ["retry_count", "retry", "error_handling"]

    static func decode(_ root: LocatedValue) throws(WorkflowFormatError) -> LoadedWorkflow {
        var decoder = WorkflowDecoder()
        let workflow = try decoder.decodeDocument(root)
        return LoadedWorkflow(workflow: workflow, problems: decoder.problems, sourceMap: decoder.sourceMap)
    }

    private mutating func decodeDocument(_ root: LocatedValue) throws(WorkflowFormatError) -> Workflow {
        guard var document = root.entries else {
            throw WorkflowFormatError(
                "a workflow document must be a mapping, not \(root.plain.kindWithArticle)", line: root.line,
                hint: "start with 'workflow:' followed by name, nodes and edges")
        }
        if let wrapped = root["workflow"] {
            guard let inner = wrapped.entries else {
                throw WorkflowFormatError("'workflow' must be a mapping with name, nodes and edges", line: wrapped.line)
            }
            for entry in document where entry.key != "workflow" {
                report(.unknownField, path: entry.key, entry.value.line, "'\(entry.key)' is outside 'workflow:' and is ignored",
                       suggestion: "indent it under workflow:")
            }
            document = inner
        }
        checkKeys(document, allowed: Self.documentFields, path: "")

        var workflow = Workflow(name: "")
        let map = LocatedValue(kind: .map(document), line: root.line)
        workflow.name = string(map["name"], path: "name") ?? ""
        workflow.description = string(map["description"], path: "description") ?? ""
        workflow.tags = stringList(map["tags"], path: "tags")
        if let settings = map["settings"] { workflow.settings = decodeSettings(settings) }

        var nodes: [WorkflowNode] = []
        if let trigger = map["trigger"] { nodes.append(decodeTriggerShorthand(trigger)) }
        let offset = nodes.count
        if let list = map["nodes"] {
            if let elements = list.elements {
                for (index, element) in elements.enumerated() {
                    nodes.append(decodeNode(element, path: "nodes[\(index + offset)]"))
                }
            } else if !list.plain.isNull {
                throw WorkflowFormatError("'nodes' must be a list of nodes", line: list.line, hint: "write each node as '- id: …'")
            }
        }
        workflow.nodes = nodes

        var edges: [Edge] = []
        if let list = map["edges"], !list.plain.isNull {
            guard let elements = list.elements else {
                throw WorkflowFormatError("'edges' must be a list of edges", line: list.line, hint: "write each edge as '- source: a'")
            }
            for (index, element) in elements.enumerated() {
                if let edge = decodeEdge(element, path: "edges[\(index)]") { edges.append(edge) }
            }
        } else {
            edges = sequentialEdges(nodes)
        }
        edges.append(contentsOf: shorthandBranchEdges(nodes: nodes, map: map, existing: edges, offset: offset))
        workflow.edges = edges
        return workflow
    }

    // MARK: Nodes

    private mutating func decodeNode(_ value: LocatedValue, path: String) -> WorkflowNode {
        sourceMap.record(path, value.line)
        guard let entries = value.entries else {
            report(.invalidFieldType, path: path, value.line, "a node must be a mapping with id, type and configuration")
            return WorkflowNode(id: "", type: "")
        }
        checkKeys(entries, allowed: Self.nodeFields, path: path, hint: "node parameters go under configuration:")
        var node = WorkflowNode(id: idString(value["id"], path: "\(path).id"), type: string(value["type"], path: "\(path).type") ?? "")
        node.name = string(value["name"], path: "\(path).name")
        node.notes = string(value["notes"], path: "\(path).notes")
        if let configuration = value["configuration"] {
            sourceMap.record("\(path).configuration", configuration.line)
            if let entries = configuration.entries {
                for entry in entries {
                    let entryPath = "\(path).configuration.\(entry.key)"
                    sourceMap.record(entryPath, entry.value.line)
                    node.configuration[entry.key] = entry.value.plain
                }
            } else if !configuration.plain.isNull {
                report(.invalidFieldType, path: "\(path).configuration", configuration.line,
                       "configuration must be a mapping of parameter names to values", nodeID: node.id)
            }
        }
        for key in ["true_branch", "false_branch"] where node.configuration[key] != nil {
            node.configuration[key] = nil
            nodesWithShorthandBranches.insert(node.id)
        }
        decodeNodeSettings(&node, from: value, path: path)
        return node
    }

    private mutating func decodeNodeSettings(_ node: inout WorkflowNode, from value: LocatedValue, path: String) {
        // The seed writes retry_count inside configuration; it is a node setting, so it is lifted out.
        var settings: [String: (LocatedValue, String)] = [:]
        for key in Self.settingsAcceptedInConfiguration {
            if let inner = value["configuration"]?[key] {
                settings[key] = (inner, "\(path).configuration.\(key)")
                node.configuration[key] = nil
            }
        }
        for key in Self.nodeFields { if let outer = value[key] { settings[key] = (outer, "\(path).\(key)") } }

        if let (raw, at) = settings["error_handling"] {
            if let text = string(raw, path: at) {
                if let handling = ErrorHandling(rawValue: text) {
                    node.errorHandling = handling
                } else {
                    report(.invalidNodeSetting, path: at, raw.line, "error_handling must be stop, continue or branch, not '\(text)'",
                           suggestion: closestMatch(to: text, among: ErrorHandling.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" },
                           nodeID: node.id)
                }
            }
        }
        if let (raw, at) = settings["retry_count"] {
            if let count = raw.plain.intValue, count >= 0, count <= 100 {
                node.retryCount = count
            } else {
                report(.invalidNodeSetting, path: at, raw.line, "retry_count must be a whole number from 0 to 100", nodeID: node.id)
            }
        }
        if let (raw, at) = settings["retry"] { node.retry = decodeRetry(raw, path: at, nodeID: node.id) }
        if let (raw, at) = settings["timeout"] {
            if let seconds = DurationText.seconds(from: raw.plain), seconds > 0 {
                node.timeout = seconds
            } else {
                report(.invalidNodeSetting, path: at, raw.line, "timeout must be a positive duration such as 300, 90s or 5m",
                       nodeID: node.id)
            }
        }
        if let (raw, at) = settings["position"] { node.position = decodePosition(raw, path: at) }
        if let (raw, at) = settings["disabled"] {
            if let flag = raw.plain.boolValue { node.disabled = flag } else {
                report(.invalidFieldType, path: at, raw.line, "disabled must be true or false", nodeID: node.id)
            }
        }
    }

    private mutating func decodeRetry(_ value: LocatedValue, path: String, nodeID: String) -> RetryPolicy? {
        guard let entries = value.entries else {
            report(.invalidNodeSetting, path: path, value.line,
                   "retry must be a mapping: initial_delay, factor, max_delay, jitter", nodeID: nodeID)
            return nil
        }
        checkKeys(entries, allowed: ["initial_delay", "factor", "max_delay", "jitter"], path: path)
        var policy = RetryPolicy()
        func seconds(_ key: String, _ apply: (Double) -> Void) -> (String, LocatedValue)? {
            guard let raw = value[key] else { return nil }
            if let number = DurationText.seconds(from: raw.plain), number >= 0 { apply(number); return nil }
            return (key, raw)
        }
        var bad: [(String, LocatedValue)] = []
        if let failure = seconds("initial_delay", { policy.initialDelay = $0 }) { bad.append(failure) }
        if let failure = seconds("max_delay", { policy.maxDelay = $0 }) { bad.append(failure) }
        if let raw = value["factor"] {
            if let factor = raw.plain.doubleValue, factor >= 1, factor <= 10 { policy.factor = factor } else { bad.append(("factor", raw)) }
        }
        if let raw = value["jitter"] {
            if let jitter = raw.plain.doubleValue, jitter >= 0, jitter <= 1 { policy.jitter = jitter } else { bad.append(("jitter", raw)) }
        }
        let rules = ["initial_delay": "a duration ≥ 0", "max_delay": "a duration ≥ 0", "factor": "a number from 1 to 10",
                     "jitter": "a fraction from 0 to 1"]
        for (key, raw) in bad {
            report(.invalidNodeSetting, path: "\(path).\(key)", raw.line, "retry.\(key) must be \(rules[key]!)", nodeID: nodeID)
        }
        return policy
    }

    private mutating func decodePosition(_ value: LocatedValue, path: String) -> Position? {
        if let x = value["x"]?.plain.doubleValue, let y = value["y"]?.plain.doubleValue { return Position(x: x, y: y) }
        if let pair = value.elements, pair.count == 2, let x = pair[0].plain.doubleValue, let y = pair[1].plain.doubleValue {
            return Position(x: x, y: y)
        }
        report(.invalidFieldType, path: path, value.line, "position must be {x: number, y: number}")
        return nil
    }

    private mutating func decodeTriggerShorthand(_ value: LocatedValue) -> WorkflowNode {
        let path = "trigger"
        sourceMap.record("nodes[0]", value.line)
        guard let entries = value.entries else {
            report(.invalidFieldType, path: path, value.line, "trigger must be a mapping with a type, e.g. type: schedule")
            return WorkflowNode(id: "trigger", type: "")
        }
        var type = string(value["type"], path: "trigger.type") ?? ""
        if !type.isEmpty, !type.contains(".") { type = "trigger.\(type)" }
        var node = WorkflowNode(id: idString(value["id"], path: "trigger.id").nonEmpty ?? "trigger", type: type)
        node.name = string(value["name"], path: "trigger.name")
        let reserved: Set<String> = ["id", "type", "name", "configuration"]
        if let configuration = value["configuration"]?.plain.objectValue { node.configuration = configuration }
        for entry in entries where !reserved.contains(entry.key) {
            node.configuration[entry.key] = entry.value.plain
            sourceMap.record("nodes[0].configuration.\(entry.key)", entry.value.line)
        }
        return node
    }

    // MARK: Edges

    private mutating func decodeEdge(_ value: LocatedValue, path: String) -> Edge? {
        sourceMap.record(path, value.line)
        guard let entries = value.entries else {
            report(.invalidFieldType, path: path, value.line, "an edge must be a mapping with source and target")
            return nil
        }
        checkKeys(entries, allowed: ["source", "target", "branch", "from", "to"], path: path)
        let source = idString(value["source"] ?? value["from"], path: "\(path).source")
        let target = idString(value["target"] ?? value["to"], path: "\(path).target")
        var branch: String? = nil
        if let raw = value["branch"] {
            switch raw.plain {
            case .bool(let flag): branch = flag ? "true" : "false"  // `branch: true` unquoted
            case .string(let text): branch = text.isEmpty ? nil : text
            case .null: branch = nil
            case let other: branch = other.renderedText
            }
        }
        return Edge(source: source, target: target, branch: branch)
    }

    /// Without `edges`, nodes run in the order listed; a condition continues on true, a loop on done.
    private func sequentialEdges(_ nodes: [WorkflowNode]) -> [Edge] {
        var edges: [Edge] = []
        var previous: WorkflowNode? = nil
        for node in nodes {
            if node.type.hasPrefix("trigger.") {
                if previous == nil { previous = node }
                continue
            }
            if let source = previous, !nodesWithShorthandBranches.contains(source.id) {
                edges.append(Edge(source: source.id, target: node.id, branch: Self.sequentialBranch(for: source.type)))
            }
            previous = node
        }
        return edges
    }

    static func sequentialBranch(for type: String) -> String? {
        switch type {
        case "logic.condition": return "true"
        case "logic.loop": return "done"
        case "logic.switch": return "default"
        default: return nil
        }
    }

    /// `true_branch` / `false_branch` in a condition's configuration (seed template 2) become edges.
    private mutating func shorthandBranchEdges(
        nodes: [WorkflowNode], map: LocatedValue, existing: [Edge], offset: Int
    ) -> [Edge] {
        var added: [Edge] = []
        let nodeValues = map["nodes"]?.elements ?? []
        for (index, node) in nodes.enumerated() where index >= offset {
            let configuration = nodeValues[index - offset]["configuration"]
            for (key, branch) in [("true_branch", "true"), ("false_branch", "false")] {
                guard let raw = configuration?[key] else { continue }
                let targets: [String]
                switch raw.plain {
                case .string(let target): targets = [target]
                case .array(let list): targets = list.compactMap(\.stringValue)
                default: targets = []
                }
                for target in targets {
                    let edge = Edge(source: node.id, target: target, branch: branch)
                    guard !existing.contains(edge), !added.contains(edge) else { continue }
                    let edgePath = "edges[\(existing.count + added.count)]"
                    sourceMap.record(edgePath, raw.line)
                    sourceMap.record("\(edgePath).target", raw.line)
                    added.append(edge)
                }
            }
        }
        return added
    }

    // MARK: Settings

    private mutating func decodeSettings(_ value: LocatedValue) -> WorkflowSettings {
        sourceMap.record("settings", value.line)
        guard let entries = value.entries else {
            report(.invalidFieldType, path: "settings", value.line, "settings must be a mapping")
            return WorkflowSettings()
        }
        checkKeys(entries, allowed: ["timezone", "timeout", "max_parallel", "error_workflow"], path: "settings")
        var settings = WorkflowSettings()
        settings.timezone = string(value["timezone"], path: "settings.timezone")
        settings.errorWorkflow = string(value["error_workflow"], path: "settings.error_workflow")
        if let raw = value["timeout"] {
            if let seconds = DurationText.seconds(from: raw.plain), seconds > 0 { settings.timeout = seconds } else {
                report(.invalidFieldType, path: "settings.timeout", raw.line, "timeout must be a positive duration such as 3600 or 1h")
            }
        }
        if let raw = value["max_parallel"] {
            if let count = raw.plain.intValue, count >= 1, count <= 1024 { settings.maxParallel = count } else {
                report(.invalidFieldType, path: "settings.max_parallel", raw.line, "max_parallel must be a whole number from 1 to 1024")
            }
        }
        return settings
    }

    // MARK: Helpers

    private mutating func report(
        _ code: ProblemCode, path: String, _ line: Int?, _ message: String, suggestion: String? = nil, nodeID: String? = nil
    ) {
        problems.append(Problem(code, path: path, message: message, suggestion: suggestion, nodeID: nodeID, line: line))
    }

    private mutating func checkKeys(
        _ entries: [(key: String, value: LocatedValue)], allowed: [String], path: String, hint: String? = nil
    ) {
        for entry in entries {
            let entryPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
            sourceMap.record(entryPath, entry.value.line)
            guard !allowed.contains(entry.key) else { continue }
            let suggestion = closestMatch(to: entry.key, among: allowed).map { "did you mean '\($0)'?" } ?? hint
            report(.unknownField, path: entryPath, entry.value.line, "'\(entry.key)' is not a known field here and is ignored",
                   suggestion: suggestion)
        }
    }

    private mutating func string(_ value: LocatedValue?, path: String) -> String? {
        guard let value else { return nil }
        switch value.plain {
        case .string(let text): return text
        case .null: return nil
        case .int, .double, .bool: return value.plain.renderedText
        default:
            report(.invalidFieldType, path: path, value.line, "\(path.split(separator: ".").last ?? "") must be text, not \(value.plain.kindWithArticle)")
            return nil
        }
    }

    /// Ids may be written as numbers; they are kept as text.
    private mutating func idString(_ value: LocatedValue?, path: String) -> String {
        string(value, path: path) ?? ""
    }

    private mutating func stringList(_ value: LocatedValue?, path: String) -> [String] {
        guard let value, !value.plain.isNull else { return [] }
        if case .string(let single) = value.plain { return [single] }
        guard let elements = value.elements else {
            report(.invalidFieldType, path: path, value.line, "\(path) must be a list of text")
            return []
        }
        return elements.enumerated().compactMap { string($1, path: "\(path)[\($0)]") }
    }
}

extension String {
    /// `nil` when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
