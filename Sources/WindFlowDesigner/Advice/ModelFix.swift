import Foundation
import WindFlowCore
import WindFlowStore

/// Fix advice from the model, for failures no rule covers. The prompt is grounded in the failure itself — the
/// error and its structured details, the failed node's configuration (secrets redacted), its evaluated input, log
/// tail and history, and the registry's entry for its type — and the answer is held to a schema (a grammar on
/// llama.cpp) in which the model can only name the failed node's own parameters: either changes to them, which the
/// code turns into a patch that is validated before it is offered, or an action, commands for a person to run.
enum ModelFix {
    /// The node's settings a change may name besides its type's parameters.
    static let settings = ["retry_count": "/retry_count", "node_timeout": "/timeout"]
    static let keyOrder = ["rationale", "kind", "changes", "commands", "confidence", "parameter", "value"]
    static let maxTokens = 400

    /// The answer's schema for a node of `type`: every property required, no others (OpenAI's strict subset as is).
    static func schema(for type: NodeType?) -> JSONValue {
        let names = (type?.parameters.map(\.name) ?? []) + settings.keys.sorted()
        let value: JSONValue = ["anyOf": [["type": "string"], ["type": "number"], ["type": "boolean"], ["type": "array", "items": ["type": "string"]]]]
        let change: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["parameter", "value"],
            "properties": ["parameter": ["enum": .array(names.map(JSONValue.string))], "value": value],
        ]
        return [
            "type": "object", "additionalProperties": false, "required": ["rationale", "kind", "changes", "commands", "confidence"],
            "properties": [
                "rationale": ["type": "string", "maxLength": 400],
                "kind": ["enum": ["fix", "action"]],
                "changes": ["type": "array", "items": change, "maxItems": 3],
                "commands": ["type": "array", "items": ["type": "string", "maxLength": 200], "maxItems": 3],
                "confidence": ["type": "number"],
            ],
        ]
    }

    /// The request's values: the failure, the node and its registry entry, redacted by the caller.
    static func requestValues(_ context: FailureContext, registry: NodeRegistry) -> [String: Any] {
        let type = registry.type(context.node.type)
        let entry = type.map { type in
            type.parameters.map { spec in
                var line = "- \(spec.name)\(spec.required ? " (required)" : ""): \(spec.description)"
                if let allowed = spec.allowedValues { line += " One of: \(allowed.joined(separator: ", "))." }
                if let value = spec.defaultValue { line += " Default: \(value.jsonText)." }
                return line
            }.joined(separator: "\n")
        } ?? ""
        let others = context.workflow.workflow.nodes.filter { $0.id != context.node.id }.map { "\($0.id) (\($0.type))" }.joined(separator: ", ")
        var values: [String: Any] = [
            "node": context.node.id, "nodeType": context.node.type, "typeSummary": type?.summary ?? "", "entry": entry,
            "configuration": JSONValue.object(context.node.configuration).jsonText,
            "settings": "retry_count \(context.node.retryCount), node_timeout \(JSONValue.format(context.node.effectiveTimeout)) s",
            "errorKind": context.run.errorKind?.rawValue ?? "", "errorMessage": String(context.message.prefix(600)),
            "details": context.details.jsonValue.jsonText, "others": others, "attempt": String(context.run.attempt),
            "history": "\(context.history.attempts) attempts, \(context.history.succeeded) succeeded, \(context.history.failed) failed",
        ]
        if let input = context.run.input, input != .object([:]) { values["input"] = String(input.jsonText.prefix(1500)) }
        if let tail = context.run.logTail, !tail.isEmpty { values["logTail"] = String(tail.suffix(1000)) }
        return values
    }

    /// The candidate the answer describes, or nil when it says nothing usable (no change, no command).
    static func candidate(_ answer: JSONValue, _ context: FailureContext) -> FixCandidate? {
        let rationale = answer["rationale"]?.stringValue ?? ""
        let confidence = min(0.9, max(0.05, answer["confidence"]?.doubleValue ?? 0.4))
        let sentence = rationale.components(separatedBy: ". ").first.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 } ?? ""
        let title = String((sentence.isEmpty ? "A change proposed by the model" : sentence).prefix(90))
        if answer["kind"]?.stringValue == "action" {
            let commands = (answer["commands"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
            guard !commands.isEmpty else { return nil }
            return FixCandidate(rule: "llm", title: title, rationale: rationale, confidence: confidence, patch: JSONPatch([]),
                                evidence: .object(FixRules.evidence(context)), commands: commands)
        }
        var operations: [JSONPatch.Operation] = []
        if context.node.configuration.isEmpty { operations.append(.init(.add, context.pointer + "/configuration", value: .object([:]))) }
        for change in answer["changes"]?.arrayValue ?? [] {
            guard let name = change["parameter"]?.stringValue, let value = change["value"] else { continue }
            let path = settings[name] ?? "/configuration/" + JSONPatch.escape(name)
            operations.append(.init(.add, context.pointer + path, value: value))
        }
        guard operations.contains(where: { $0.path != context.pointer + "/configuration" }) else { return nil }
        return FixCandidate(rule: "llm", title: title, rationale: rationale, confidence: confidence, patch: JSONPatch(operations),
                            evidence: .object(FixRules.evidence(context)))
    }
}
