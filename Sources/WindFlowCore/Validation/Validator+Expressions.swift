extension ValidationRun {
    /// Fields of the roots every expression may read besides node outputs.
    static let builtinRootFields: [String: [String]?] = [
        "env": nil,
        "secrets": nil,
        "execution": ["id", "idempotency_key", "attempt", "started_at", "trigger_type"],
        "workflow": ["id", "name", "version"],
    ]

    mutating func checkExpressions() {
        let ancestors = graph.ancestors()
        let loopBodies = graph.loopBodies()
        var inLoop = NodeSet(capacity: workflow.nodes.count)
        for body in loopBodies.values { for member in body { inLoop.insert(member) } }
        let triggerOutputs = self.triggerOutputs()
        // `trigger` means the trigger that fired, unless a non-trigger node took that id (reported elsewhere).
        let triggerIsRoot = graph.indexByID["trigger"].map { types[$0]?.isTrigger ?? true } ?? true

        for (index, node) in workflow.nodes.enumerated() {
            let type = types[index]
            let before = problems.count
            for (key, value) in node.configuration {
                let isCondition = type?.parameter(key)?.type == .condition
                guard isCondition || value.mayHoldPlaceholder else { continue }
                // The path is built only for a problem; `suffix` locates values nested in lists and objects.
                let base = { (suffix: String) in "nodes[\(index)].configuration.\(key)\(suffix)" }
                var expressions: [(Expression, String)] = []
                if node.type == "integration.script", key == "script", case .string(let script) = value,
                    node.configuration["script_type"]?.stringValue != "python3"
                {
                    // Shell text in single quotes is the shell's own ({{.Names}} for docker --format).
                    do {
                        for case .placeholder(let expression, let context, let source, let offset) in try ShellPlaceholders.split(script) {
                            expressions.append((expression, ""))
                            if let refusal = ShellPlaceholders.refusal(context, source: source) {
                                report(.placeholderRunAsCode, base(""), "\(refusal.message) (at character \(offset + 1))",
                                       suggestion: refusal.hint, node: node.id)
                            }
                        }
                    } catch {
                        report(.expressionSyntax, base(""), "expression error: \(error.message)", suggestion: error.hint, node: node.id)
                    }
                } else {
                    collectExpressions(value, suffix: "", base: base, bareIsExpression: isCondition, node: node.id, into: &expressions)
                }
                for (expression, suffix) in expressions {
                    for reference in expression.references {
                        checkReference(reference, path: { base(suffix) }, nodeIndex: index, ancestors: ancestors,
                                       inLoop: inLoop, triggerOutputs: triggerOutputs, triggerIsRoot: triggerIsRoot)
                    }
                }
            }
            // Dictionary order varies from run to run; the report must not.
            if problems.count - before > 1 { problems[before...].sort { $0.path < $1.path } }
        }
    }

    /// Parses every string under `value`; syntax errors are reported, parsed expressions collected with the
    /// suffix of their path below `base`.
    private mutating func collectExpressions(
        _ value: JSONValue, suffix: String, base: (String) -> String, bareIsExpression: Bool, node: String,
        into found: inout [(Expression, String)]
    ) {
        switch value {
        case .string(let text):
            if Template.containsPlaceholder(text) {
                do {
                    for expression in try Template.parse(text).expressions { found.append((expression, suffix)) }
                } catch {
                    reportSyntax(error, text: text, path: base(suffix), node: node)
                }
            } else if bareIsExpression {
                do { found.append((try ExpressionParser.parse(text), suffix)) } catch {
                    reportSyntax(error, text: text, path: base(suffix), node: node)
                }
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() where element.mayHoldPlaceholder {
                collectExpressions(element, suffix: "\(suffix)[\(index)]", base: base, bareIsExpression: false, node: node,
                                   into: &found)
            }
        case .object(let members):
            for (key, member) in members {
                // A switch case's condition is a condition too.
                guard member.mayHoldPlaceholder || (key == "condition" && member.stringValue != nil) else { continue }
                collectExpressions(member, suffix: "\(suffix).\(key)", base: base, bareIsExpression: key == "condition",
                                   node: node, into: &found)
            }
        default:
            break
        }
    }

    private mutating func reportSyntax(_ error: ExpressionError, text: String, path: String, node: String) {
        var message = "expression error: \(error.message)"
        if let offset = error.offset { message += " at character \(offset + 1) of \(Self.quoted(text))" }
        report(.expressionSyntax, path, message, suggestion: error.hint, node: node)
    }

    private static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "…" : text
        return "\"\(shown)\""
    }

    /// The fields `trigger.…` may read: those of every trigger, or `nil` when any trigger's outputs are open.
    private func triggerOutputs() -> Set<String>? {
        var fields: Set<String> = []
        for type in types {
            guard let type, type.isTrigger else { continue }
            if type.hasDynamicOutputs { return nil }
            fields.formUnion(type.outputs.map(\.name))
        }
        return fields
    }

    private mutating func checkReference(
        _ reference: ExpressionReference, path: () -> String, nodeIndex: Int, ancestors: [NodeSet], inLoop: NodeSet,
        triggerOutputs: Set<String>?, triggerIsRoot: Bool
    ) {
        let node = workflow.nodes[nodeIndex]
        let root = reference.root
        if root == "item" || root == "index" {
            if !inLoop.contains(nodeIndex) {
                report(.loopVariableOutsideLoop, path(),
                       "'\(root)' is only defined inside a loop's body, and node '\(node.id)' is not in one",
                       suggestion: "connect '\(node.id)' from a logic.loop's loop output, or read the list itself", node: node.id)
            }
            return
        }
        if root == "trigger", triggerIsRoot {
            if let field = reference.fields.first, let allowed = triggerOutputs, !allowed.contains(field) {
                report(.unknownOutputField, path(), "the trigger has no output '\(field)'",
                       suggestion: Self.didYouMean(field, allowed.sorted(), orElse: "its outputs are \(allowed.sorted().joined(separator: ", "))"),
                       node: node.id)
            }
            return
        }
        if let builtin = Self.builtinRootFields[root] {
            if let fields = builtin, let field = reference.fields.first, !fields.contains(field) {
                report(.unknownOutputField, path(), "'\(root)' has no field '\(field)'",
                       suggestion: Self.didYouMean(field, fields, orElse: "its fields are \(fields.joined(separator: ", "))"),
                       node: node.id)
            }
            return
        }
        guard let targetIndex = graph.indexByID[root] else {
            let candidates = workflow.nodes.map(\.id) + ["trigger", "env", "secrets", "execution", "workflow"]
            report(.unknownReference, path(), "'\(reference.dottedPath)' reads '\(root)', which is not a node or a known name",
                   suggestion: Self.didYouMean(root, candidates, orElse: "read an upstream node's output as node_id.field, or trigger.field"),
                   node: node.id)
            return
        }
        if targetIndex == nodeIndex {
            report(.referenceNotUpstream, path(), "node '\(node.id)' reads its own output ('\(reference.dottedPath)'), which does not exist yet",
                   suggestion: "read an upstream node's output instead", node: node.id)
            return
        }
        if !ancestors[nodeIndex].contains(targetIndex) {
            report(.referenceNotUpstream, path(),
                   "node '\(node.id)' reads '\(reference.dottedPath)', but '\(root)' does not run before it",
                   suggestion: "add an edge path from '\(root)' to '\(node.id)', or read a node that comes earlier", node: node.id)
            return
        }
        let target = workflow.nodes[targetIndex]
        guard let field = reference.fields.first, let type = types[targetIndex], !type.hasDynamicOutputs else { return }
        if type.output(field) != nil || (field == "error" && target.errorHandling != .stop) { return }
        let names = type.outputs.map(\.name)
        report(.unknownOutputField, path(),
               names.isEmpty ? "\(type.id) '\(root)' has no outputs, so '\(reference.dottedPath)' cannot be read"
                : "\(type.id) '\(root)' has no output '\(field)'; it outputs \(names.joined(separator: ", "))",
               suggestion: Self.didYouMean(field, names, orElse: names.isEmpty ? "remove the reference" : "use one of its outputs"),
               node: node.id)
    }
}

extension JSONValue {
    /// Whether a `{{` may be somewhere inside (strings are scanned, containers are assumed to).
    fileprivate var mayHoldPlaceholder: Bool {
        switch self {
        case .string(let text): return Template.containsPlaceholder(text)
        case .array, .object: return true
        default: return false
        }
    }
}
