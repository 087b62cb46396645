import Foundation
import WindFlowCore

/// One node parameter under repair: what its expressions may read, and what the repair changed and assumed.
struct ReferenceSite {
    let workflow: Workflow
    let registry: NodeRegistry
    let facts: ProseFacts?
    let nodeIndex: Int
    let key: String
    /// The nodes upstream of this one, nearest (latest listed) first, triggers left out.
    let upstream: [Int]
    let trigger: NodeType?
    /// Text a person reads (a message, a subject): a reference nothing resolves becomes plain text there.
    let isFreeText: Bool
    let isCondition: Bool
    /// Whether a step the plan lacks may be asked of the model (a round is left); otherwise free text reading it
    /// becomes plain text.
    var askModel = false
    var fixes: [String] = []
    var assumptions: [String] = []
    /// What to tell the model: a step the plan reads but does not have.
    var hints: [String] = []
    /// Names read from a manual trigger that it should ask for.
    var manualInputs: [String] = []

    /// Parameters whose text is code: a placeholder there is a value, never words to keep.
    static let codeParameters: Set<String> = ["script", "query", "renew_command"]
    static let textParameters: Set<String> = ["message", "subject", "body", "text", "title", "html", "description"]

    init(workflow: Workflow, registry: NodeRegistry, facts: ProseFacts?, nodeIndex: Int, key: String) {
        self.workflow = workflow
        self.registry = registry
        self.facts = facts
        self.nodeIndex = nodeIndex
        self.key = key
        let types = workflow.nodes.map { registry.type($0.type) }
        let ancestors = WorkflowGraph(workflow, registry: registry).ancestors()[nodeIndex]
        upstream = workflow.nodes.indices.reversed().filter { ancestors.contains($0) && types[$0]?.isTrigger == false }
        trigger = types.compactMap { $0 }.first { $0.isTrigger }
        let parameter = types[nodeIndex]?.parameter(key)
        isCondition = parameter?.type == .condition
        isFreeText = !Self.codeParameters.contains(key) && (parameter?.type == .text || Self.textParameters.contains(key))
    }

    var node: WorkflowNode { workflow.nodes[nodeIndex] }
    private var place: String { "\(node.id).\(key)" }

    /// The value with every reference it can resolve resolved.
    mutating func repair(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where Template.containsPlaceholder(text): return .string(repair(text: text))
        case .string(let text) where isCondition: return .string(expression(text, bare: true))
        case .array(let elements): return .array(elements.map { repair($0) })
        case .object(let members): return .object(members.mapValues { repair($0) })
        default: return value
        }
    }

    private mutating func repair(text: String) -> String {
        ReferenceRepair.rewritePlaceholders(flattened(text), { inner in expression(inner, bare: false) }, unclosed: { rest in close(rest) })
    }

    /// A placeholder written inside another (`{{ load > {{ threshold }} }}`) is one expression: the inner braces go.
    private mutating func flattened(_ text: String) -> String {
        let pattern = #"\{\{([^{}]*)\{\{\s*([^{}]*?)\s*\}\}([^{}]*)\}\}"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        else { return text }
        let flat = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "{{$1$2$3}}")
        fixes.append("\(place): a '{{ … }}' inside another made one expression: '\(flat)'")
        return flat
    }

    /// A `{{` never closed: closed after the path that follows it (`{{ deploy.status` → `{{ deploy.status }}`),
    /// else made plain text.
    private mutating func close(_ rest: String) -> String {
        let body = String(rest.dropFirst(2))
        if let match = CronPhrase.firstMatch(#"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}?"#, in: body), let path = match.first,
            let range = body.range(of: #"^\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*\s*\}?"#, options: .regularExpression)
        {
            fixes.append("\(place): '{{ \(path)' closed as '{{ \(path) }}'")
            return repair(text: "{{ \(path) }}" + body[range.upperBound...])
        }
        fixes.append("\(place): a '{{' that was never closed made plain text")
        if isFreeText { assumptions.append("\(place): a '{{' that was never closed is kept as plain text") }
        return repair(text: body)
    }

    /// A placeholder's expression (its inner text) with its references resolved; plain text when one cannot be
    /// resolved in free text. Returns the whole replacement (`{{ … }}` or text).
    private mutating func expression(_ source: String, bare: Bool) -> String {
        let wrap = { (inner: String) in bare ? inner : "{{" + inner + "}}" }
        guard let parsed = try? ExpressionParser.parse(source) else {
            guard isFreeText, !bare else { return wrap(source) }
            let text = source.trimmingCharacters(in: .whitespaces)
            assumptions.append("\(place): '{{\(source)}}' is not an expression; kept as the plain text '\(text)'")
            return text
        }
        var text = source
        for reference in parsed.references {
            switch resolve(reference) {
            case .fine:
                continue
            case .rename(let old, let new, let assumed):
                text = ReferenceRepair.renamePath(in: text, old, to: new)
                if new.hasPrefix("trigger."), trigger?.id == "trigger.manual" {
                    let name = new.dropFirst("trigger.".count).trimmingCharacters(in: ["."])
                    if let input = name.isEmpty ? reference.fields.first : name.split(separator: ".").first.map(String.init) { manualInputs.append(input) }
                }
                fixes.append("\(place): \(old.trimmingCharacters(in: ["."])) → \(new.trimmingCharacters(in: ["."]))")
                if let assumed { assumptions.append("\(place): \(assumed)") }
            case .value(let value, let assumed):
                assumptions.append("\(place): \(assumed)")
                fixes.append("\(place): \(reference.dottedPath) → '\(value)'")
                if text.trimmingCharacters(in: .whitespaces) == reference.dottedPath, !bare { return value }
                let literal = Double(value) != nil ? value : "'\(value.replacingOccurrences(of: "'", with: "\\'"))'"
                text = ReferenceRepair.renamePath(in: text, reference.dottedPath, to: literal)
            case .missingStep(let type):
                if askModel || !isFreeText || bare {
                    hints.append("\(place): '{{ \(reference.dottedPath) }}' is what a \(type) step outputs, and no such step runs before '\(node.id)': add that step before it (or do not read it)")
                    continue
                }
                let plain = source.trimmingCharacters(in: .whitespaces)
                assumptions.append("\(place): '{{ \(reference.dottedPath) }}' is what a \(type) step outputs, and the plan has none before it; kept as the plain text '\(plain)'")
                return plain
            case .unresolved(let why):
                guard isFreeText, !bare else { continue }
                let plain = source.trimmingCharacters(in: .whitespaces)
                assumptions.append("\(place): '{{ \(reference.dottedPath) }}' reads nothing the workflow has (\(why)); kept as the plain text '\(plain)'")
                return plain
            }
        }
        return wrap(text)
    }

    enum Resolution {
        case fine
        /// Replace the path `old` (a root when it ends with `.`) by `new`; `assumed` when it is a guess.
        case rename(String, String, assumed: String?)
        /// Replace the reference by a value the request states.
        case value(String, assumed: String)
        /// An output of this type's steps, read where none runs before.
        case missingStep(String)
        case unresolved(String)
    }

    func resolve(_ reference: ExpressionReference) -> Resolution {
        let root = reference.root
        let field = reference.fields.first
        if ["item", "index", "env", "secrets", "execution", "workflow"].contains(root) { return .fine }
        if root == "trigger" { return resolveTrigger(reference.fields) }
        if let target = workflow.nodes.firstIndex(where: { $0.id == root }) { return resolveField(field, of: target) }
        return resolveRoot(root, field: field)
    }

    private func renameStep(_ root: String, field: String?, to index: Int, certain: Bool) -> Resolution {
        let id = workflow.nodes[index].id
        return .rename(field == nil ? root : root + ".", field == nil ? id : id + ".",
                       assumed: certain ? nil : "'\(root)' is no step; it was read as the earlier step '\(id)'")
    }

    /// `trigger.X` where the trigger declares its outputs (schedule, file).
    private func resolveTrigger(_ fields: [String]) -> Resolution {
        guard let trigger, !trigger.hasDynamicOutputs, let field = fields.first, trigger.output(field) == nil else { return .fine }
        let names = trigger.outputs.map(\.name)
        if let near = closestMatch(to: field, among: names) { return .rename("trigger.\(field)", "trigger.\(near)", assumed: nil) }
        // `trigger.file.event` on a file trigger: the output is one level up.
        if fields.count > 1, trigger.output(fields[1]) != nil {
            return .rename("trigger.\(field).\(fields[1])", "trigger.\(fields[1])", assumed: "'trigger.\(field).\(fields[1])' was read as 'trigger.\(fields[1])'")
        }
        if fields.count == 1, let value = factValue(field) {
            return .value(value, assumed: "a \(trigger.id) has no input '\(field)'; the request's \(field) '\(value)' was written instead of '{{ trigger.\(field) }}'")
        }
        return .unresolved("a \(trigger.id) outputs only \(names.joined(separator: ", "))")
    }

    /// `step.X` where the step's type does not declare X: the nearest field it declares.
    private func resolveField(_ field: String?, of target: Int) -> Resolution {
        let step = workflow.nodes[target]
        guard let field, let type = registry.type(step.type), !type.hasDynamicOutputs, type.output(field) == nil,
            !(field == "error" && step.errorHandling != .stop)
        else { return .fine }
        let names = type.outputs.map(\.name)
        if let near = closestMatch(to: field, among: names) { return .rename("\(step.id).\(field)", "\(step.id).\(near)", assumed: nil) }
        if let near = Self.nearestField(field, among: names) {
            return .rename("\(step.id).\(field)", "\(step.id).\(near)",
                           assumed: "\(type.id) has no output '\(field)'; its '\(near)' was read instead")
        }
        return .unresolved("\(type.id) outputs \(names.isEmpty ? "nothing" : names.joined(separator: ", "))")
    }

    /// A root that is no step: an output of an earlier step read bare, a step by a near name, label or type, the
    /// trigger's input, or a value the request states.
    private func resolveRoot(_ root: String, field: String?) -> Resolution {
        if field == nil, let holder = upstream.first(where: { registry.type(workflow.nodes[$0].type)?.output(root) != nil }) {
            let id = workflow.nodes[holder].id
            return .rename(root, "\(id).\(root)", assumed: "'{{ \(root) }}' was read as the output '\(root)' of the earlier step '\(id)'")
        }
        let step = closestStep(root, field: field)
        if let step, step.certain { return renameStep(root, field: field, to: step.index, certain: true) }
        // `{{ health_check.summary }}` with no health check before: the step to add, not another step to read.
        if let type = typeNamed(root) { return .missingStep(type) }
        if let step { return renameStep(root, field: field, to: step.index, certain: false) }
        // In a message, `{{ summary }}` is a step's output; in a parameter, `{{ environment }}` is an input.
        if field == nil, isFreeText, let type = producer(of: root) { return .missingStep(type) }
        let inputWords: Set<String> = ["input", "inputs", "params", "parameters", "payload", "data", "request", "args", "event"]
        if let trigger, trigger.hasDynamicOutputs, field != nil, inputWords.contains(root) || (root == "body" && trigger.id == "trigger.webhook") {
            let new = root == "body" ? "trigger.body." : "trigger."
            return .rename(root + ".", new, assumed: "'\(root).…' was read as the trigger's input ('\(new)…')")
        }
        if field == nil, let value = factValue(root) {
            return .value(value, assumed: "'{{ \(root) }}' reads nothing; the request's \(root) '\(value)' was written instead")
        }
        if let trigger, trigger.hasDynamicOutputs, Validator.isValidID(root) {
            let who = trigger.id == "trigger.manual" ? "the person starting the run is asked for it" : "the caller sends it"
            return .rename(field == nil ? root : root + ".", field == nil ? "trigger.\(root)" : "trigger.\(root).",
                           assumed: "'\(root)' is no step; it is read from the trigger's input as trigger.\(root) (\(who))")
        }
        return .unresolved("no earlier step is called '\(root)'")
    }
}
