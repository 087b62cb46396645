/// One thing wrong with a workflow: a stable code, how bad it is, where, what, and how to fix it.
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    public var code: ProblemCode
    public var severity: Severity
    /// Where, as a path into the document: `nodes[3].configuration.url`, `edges[2].target`, `settings.timezone`.
    public var path: String
    /// What is wrong, for a person (and for the LLM repairing its own output).
    public var message: String
    /// How to fix it, when there is a likely fix ("did you mean `integration.http`?").
    public var suggestion: String?
    /// The node the problem belongs to, so the editor can mark it.
    public var nodeID: String?
    /// 1-based line in the source file, when the workflow was read from one.
    public var line: Int?

    public init(
        _ code: ProblemCode, _ severity: Severity? = nil, path: String, message: String, suggestion: String? = nil,
        nodeID: String? = nil, line: Int? = nil
    ) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.path = path
        self.message = message
        self.suggestion = suggestion
        self.nodeID = nodeID
        self.line = line
    }

    public var description: String {
        var text = "\(severity.rawValue)[\(code.rawValue)] \(path): \(message)"
        if let suggestion { text += " — \(suggestion)" }
        return text
    }
}

/// Whether a problem stops the workflow from being accepted and run.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case error
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .error && rhs == .warning
    }
}

/// The stable codes of every problem the loader and the validator report. Documented in docs/VALIDATION.md.
public enum ProblemCode: String, Sendable, Hashable, CaseIterable {
    // The document's shape
    /// Not YAML or JSON, or not a workflow document at all.
    case syntaxError = "syntax_error"
    case missingField = "missing_field"
    case invalidFieldType = "invalid_field_type"
    case unknownField = "unknown_field"
    // Nodes
    case unknownNodeType = "unknown_node_type"
    case duplicateNodeID = "duplicate_node_id"
    case invalidNodeID = "invalid_node_id"
    case reservedNodeID = "reserved_node_id"
    // Parameters
    case missingParameter = "missing_parameter"
    case unknownParameter = "unknown_parameter"
    case invalidParameterType = "invalid_parameter_type"
    case invalidEnumValue = "invalid_enum_value"
    case outOfRange = "out_of_range"
    case secretInPlainText = "secret_in_plain_text"
    case invalidCron = "invalid_cron"
    case invalidDuration = "invalid_duration"
    case invalidTimezone = "invalid_timezone"
    case invalidWebhookPath = "invalid_webhook_path"
    case duplicateWebhookPath = "duplicate_webhook_path"
    case invalidNodeSetting = "invalid_node_setting"
    // Graph
    case emptyWorkflow = "empty_workflow"
    case unknownEdgeSource = "unknown_edge_source"
    case unknownEdgeTarget = "unknown_edge_target"
    case duplicateEdge = "duplicate_edge"
    case cycle
    case unreachableNode = "unreachable_node"
    case noTrigger = "no_trigger"
    case triggerHasIncomingEdges = "trigger_has_incoming_edges"
    case unknownBranch = "unknown_branch"
    case missingBranch = "missing_branch"
    case errorBranchWithoutHandling = "error_branch_without_handling"
    case unusedBranch = "unused_branch"
    // Expressions
    case expressionSyntax = "expression_syntax"
    case unknownReference = "unknown_reference"
    case referenceNotUpstream = "reference_not_upstream"
    case unknownOutputField = "unknown_output_field"
    case loopVariableOutsideLoop = "loop_variable_outside_loop"
    /// A script placeholder in text the shell runs as code (after `eval`, in `sh -c "…"`, piped into a shell).
    case placeholderRunAsCode = "placeholder_run_as_code"
    // Stack files (deployments)
    case invalidPort = "invalid_port"
    case portClash = "port_clash"
    case invalidVolume = "invalid_volume"
    case missingVariable = "missing_variable"
    case unknownService = "unknown_service"

    /// The codes only stack files produce.
    public static let stackCodes: Set<ProblemCode> = [.invalidPort, .portClash, .invalidVolume, .missingVariable, .unknownService]

    /// The severity the code has unless the check says otherwise.
    public var defaultSeverity: Severity {
        switch self {
        case .unknownField, .unknownParameter, .secretInPlainText, .unreachableNode, .duplicateEdge, .unusedBranch:
            return .warning
        default:
            return .error
        }
    }
}

/// The validator's verdict: every problem at once.
public struct ValidationReport: Sendable, Hashable {
    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var errors: [Problem] { problems.filter { $0.severity == .error } }
    public var warnings: [Problem] { problems.filter { $0.severity == .warning } }
    /// Whether the workflow may be accepted and run: no errors (warnings allowed).
    public var isValid: Bool { !problems.contains { $0.severity == .error } }

    /// Problems with a given code.
    public func problems(_ code: ProblemCode) -> [Problem] {
        problems.filter { $0.code == code }
    }
}
