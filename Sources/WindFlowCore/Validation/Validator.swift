import Foundation

/// Checks a workflow against the ``NodeRegistry`` and returns every problem at once.
public struct Validator: Sendable {
    public var registry: NodeRegistry

    /// Ids that expressions use for something else.
    public static let reservedIDs: Set<String> = [
        "env", "secrets", "execution", "workflow", "item", "index", "true", "false", "null", "none", "and", "or", "not",
        "in",
    ]
    static let maxIDLength = 64

    /// Whether `id` can be a node id: a letter or _ first, then letters, digits and _, 64 characters at most.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.count <= Validator.maxIDLength else { return false }
        let isLetter: (Unicode.Scalar) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "_" }
        return isLetter(first) && id.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") }
    }

    /// `Deploy-Staging 2` → `deploy_staging_2`.
    public static func normalizedID(_ id: String) -> String {
        var result = ""
        for scalar in id.lowercased().unicodeScalars {
            let keep = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if keep { result.unicodeScalars.append(scalar) } else if !result.hasSuffix("_") { result += "_" }
        }
        result = String(result.trimmingCharacters(in: CharacterSet(charactersIn: "_")).prefix(Validator.maxIDLength))
        if result.isEmpty { return "node" }
        if result.first!.isNumber { result = "n_" + result }
        return result
    }

    public init(registry: NodeRegistry = .standard) {
        self.registry = registry
    }

    /// Every problem in `workflow`, errors first within each part, in document order.
    public func validate(_ workflow: Workflow) -> ValidationReport {
        var run = ValidationRun(workflow: workflow, registry: registry)
        run.checkDocument()
        guard !workflow.nodes.isEmpty else { return ValidationReport(problems: run.problems) }
        run.checkNodes()
        run.checkEdges()
        run.checkTriggers()
        run.checkCycles()
        run.checkReachability()
        run.checkExpressions()
        return ValidationReport(problems: run.problems)
    }

    /// Validates a loaded document: its shape problems, then the validator's, each with its source line.
    public func validate(_ loaded: LoadedWorkflow) -> ValidationReport {
        let problems = loaded.problems + validate(loaded.workflow).problems
        return ValidationReport(problems: loaded.sourceMap.locate(problems))
    }
}

/// The state of one validation: the workflow, its graph, and the problems found so far.
struct ValidationRun {
    let workflow: Workflow
    let registry: NodeRegistry
    let graph: WorkflowGraph
    /// Each node's type, by node index (`nil` when unknown), looked up once.
    let types: [NodeType?]
    var problems: [Problem] = []

    init(workflow: Workflow, registry: NodeRegistry) {
        self.workflow = workflow
        self.registry = registry
        self.graph = WorkflowGraph(workflow, registry: registry)
        self.types = workflow.nodes.map { registry.type($0.type) }
    }

    mutating func report(
        _ code: ProblemCode, _ path: String, _ message: String, suggestion: String? = nil, node: String? = nil,
        severity: Severity? = nil
    ) {
        problems.append(Problem(code, severity, path: path, message: message, suggestion: suggestion, nodeID: node))
    }

    mutating func checkDocument() {
        if workflow.name.trimmingCharacters(in: .whitespaces).isEmpty {
            report(.missingField, "name", "the workflow has no name", suggestion: "add name: \"Deploy on push\"")
        }
        if let timezone = workflow.settings.timezone, TimeZone(identifier: timezone) == nil {
            report(.invalidTimezone, "settings.timezone", "'\(timezone)' is not a known time zone",
                   suggestion: Self.timezoneSuggestion(timezone))
        }
        if workflow.nodes.isEmpty {
            report(.emptyWorkflow, "nodes", "the workflow has no nodes",
                   suggestion: "add a trigger (e.g. type: trigger.manual) and the steps it starts")
        }
    }

    static func timezoneSuggestion(_ name: String) -> String {
        closestMatch(to: name, among: TimeZone.knownTimeZoneIdentifiers).map { "did you mean '\($0)'?" }
            ?? "use an IANA name such as UTC or Europe/Paris"
    }

    mutating func checkNodes() {
        var seen: [String: Int] = [:]
        var webhookPaths: [String: String] = [:]
        for (index, node) in workflow.nodes.enumerated() {
            let path = "nodes[\(index)]"
            checkID(node, index: index, seen: &seen)
            guard !node.type.isEmpty else {
                report(.missingField, "\(path).type", "node '\(node.id)' has no type",
                       suggestion: "set type to one of the registry's types, e.g. integration.http", node: node.id)
                continue
            }
            guard let type = types[index] else {
                let suggestion = registry.closestType(to: node.type).map { "did you mean '\($0)'?" }
                    ?? "run 'windflow registry' for the list of node types"
                report(.unknownNodeType, "\(path).type", "'\(node.type)' is not a known node type", suggestion: suggestion,
                       node: node.id)
                continue
            }
            checkParameters(node, type: type, path: path)
            checkSettings(node, type: type, path: path)
            if type.id == "trigger.webhook", case .string(let hookPath)? = node.configuration["webhook_path"],
                !Template.containsPlaceholder(hookPath)
            {
                if let other = webhookPaths[hookPath] {
                    report(.duplicateWebhookPath, "\(path).configuration.webhook_path",
                           "webhook path '\(hookPath)' is already used by node '\(other)'",
                           suggestion: "give each webhook trigger its own path", node: node.id)
                } else {
                    webhookPaths[hookPath] = node.id
                }
            }
        }
    }

    private mutating func checkID(_ node: WorkflowNode, index: Int, seen: inout [String: Int]) {
        let path = "nodes[\(index)].id"
        guard !node.id.isEmpty else {
            report(.missingField, path, "node \(index + 1) has no id", suggestion: "add id: a_short_name")
            return
        }
        if let first = seen[node.id] {
            report(.duplicateNodeID, path, "id '\(node.id)' is already used by nodes[\(first)]",
                   suggestion: "rename it, e.g. '\(node.id)_\(index + 1)'", node: node.id)
        } else {
            seen[node.id] = index
        }
        if !Validator.isValidID(node.id) {
            report(.invalidNodeID, path,
                   "id '\(node.id)' must start with a letter or _ and hold only letters, digits and _ "
                    + "(at most \(Validator.maxIDLength) characters), so expressions can read it",
                   suggestion: "use '\(Validator.normalizedID(node.id))'", node: node.id)
        }
        let isTrigger = types[index]?.isTrigger ?? node.type.hasPrefix("trigger.")
        if Validator.reservedIDs.contains(node.id) || (node.id == "trigger" && !isTrigger) {
            report(.reservedNodeID, path, "id '\(node.id)' is a reserved word in expressions",
                   suggestion: "rename it, e.g. '\(node.id)_step'", node: node.id)
        }
    }

    private mutating func checkSettings(_ node: WorkflowNode, type: NodeType, path: String) {
        let errorEdges = graph.indexByID[node.id].map { graph.outgoing[$0].filter { workflow.edges[$0].branch == "error" } } ?? []
        if !errorEdges.isEmpty, node.errorHandling != .branch {
            report(.errorBranchWithoutHandling, "edges[\(errorEdges[0])].branch",
                   "node '\(node.id)' has an error edge but its error_handling is '\(node.errorHandling.rawValue)', so the edge is never taken",
                   suggestion: "set error_handling: branch on '\(node.id)'", node: node.id)
        }
        if node.errorHandling == .branch, errorEdges.isEmpty {
            report(.unusedBranch, "\(path).error_handling",
                   "node '\(node.id)' has error_handling: branch but no edge with branch: error leaves it",
                   suggestion: "add an edge from '\(node.id)' with branch: error, or use error_handling: continue",
                   node: node.id)
        }
        if type.isTrigger, node.retryCount > 0 {
            report(.invalidNodeSetting, "\(path).retry_count", "a trigger is not retried; retry_count has no effect",
                   suggestion: "remove retry_count from the trigger", node: node.id, severity: .warning)
        }
        if let timeout = node.timeout, let limit = workflow.settings.timeout, timeout > limit {
            report(.invalidNodeSetting, "\(path).timeout",
                   "the node's timeout (\(JSONValue.format(timeout)) s) is longer than the workflow's (\(JSONValue.format(limit)) s)",
                   suggestion: "lower it, or raise settings.timeout", node: node.id, severity: .warning)
        }
    }
}
