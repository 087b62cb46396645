import WindFlowCore

/// The JSON Schema of a design plan, generated from the registry so that a grammar-constrained model cannot write a
/// structural error: each action is one of the registry's types (`const`), with its required parameters required,
/// choices as `enum`, numbers within the registry's range, credentials only as `{{ secrets.NAME }}`; blocks are
/// recursive down to ``depth`` levels; lists are bounded.
///
/// Two dialects: ``Dialect/grammar`` for llama.cpp's JSON-schema-to-grammar converter, Ollama's `format` and an
/// Anthropic tool's `input_schema`; ``Dialect/strict`` for OpenAI's strict structured outputs (every property
/// required, optional ones nullable, `additionalProperties: false` everywhere, no free-form objects).
public struct PlanSchema: Sendable {
    public enum Dialect: Sendable { case grammar, strict }

    public var registry: NodeRegistry
    /// The action types the plan may use (nil: every non-logic, non-trigger type of the registry).
    public var types: [String]?
    public var dialect: Dialect
    /// How deep blocks may nest: at the last level only actions, `wait` and `stop`.
    public var depth: Int
    /// Most steps in one list.
    public var maxSteps = 12
    /// The trigger types the plan may start with (nil: every trigger of the registry).
    public var triggerTypes: [String]?
    /// Whether the plan may list assumptions. Off from a draft: the 1.5B model wrote the steps it left out there
    /// ("validate the stack strictly before deploying") instead of as steps.
    public var allowsAssumptions = true

    public init(registry: NodeRegistry = .standard, types: [String]? = nil, dialect: Dialect = .grammar, depth: Int = 3) {
        self.registry = registry
        self.types = types
        self.dialect = dialect
        self.depth = depth
    }

    /// The action types in the schema, in registry order.
    public var actionTypes: [NodeType] {
        let wanted = types.map(Set.init)
        return registry.types.filter { !$0.isTrigger && $0.category != .logic && (wanted?.contains($0.id) ?? true) }
    }

    /// The schema as a value.
    public var schema: JSONValue {
        var definitions: [String: JSONValue] = [:]
        for type in actionTypes {
            for level in 0..<depth { definitions[Self.definitionName(type.id, level: level)] = action(type, level: level) }
        }
        for level in 0..<depth { definitions["step_\(level)"] = ["anyOf": .array(stepAlternatives(level: level))] }
        let allowed = triggerTypes.map(Set.init)
        let triggers = registry.types.filter { $0.isTrigger && (allowed?.contains($0.id) ?? true) }.map { trigger($0) }
        var fields: [(String, JSONValue, Bool)] = [
            ("name", ["type": "string", "minLength": 1, "maxLength": 80], true),
            ("trigger", ["anyOf": .array(triggers)], true),
            ("steps", steps(level: 0, minItems: 1), true),
        ]
        if allowsAssumptions { fields.append(("assumptions", ["type": "array", "items": ["type": "string", "maxLength": 160], "maxItems": 4], false)) }
        return object(fields, extra: ["$defs": .object(definitions)])
    }

    /// The schema as text, keys in the plan's order (a grammar keeps the order it is given).
    public var text: String { schema.jsonText(keysFirst: DesignPlan.keyOrder) }

    // MARK: - Steps

    private func stepAlternatives(level: Int) -> [JSONValue] {
        var alternatives: [JSONValue] = actionTypes.map { .object(["$ref": .string("#/$defs/" + Self.definitionName($0.id, level: level))]) }
        let label: JSONValue = ["type": "string", "pattern": .string(Self.labelPattern)]
        if level + 1 < depth {
            let inner = steps(level: level + 1, minItems: 1)
            let optionalInner = steps(level: level + 1, minItems: 0)
            alternatives.append(object([("if", condition, true), ("then", inner, true), ("else", optionalInner, false), ("name", label, false)]))
            let caseSchema = object([("when", ["anyOf": [["type": "string", "minLength": 1], ["type": "number"], ["type": "boolean"]]], true), ("steps", inner, true)])
            alternatives.append(object([
                ("switch", ["type": "string", "minLength": 1], true),
                ("cases", ["type": "array", "items": caseSchema, "minItems": 1, "maxItems": 6], true),
                ("default", optionalInner, false), ("name", label, false),
            ]))
            alternatives.append(object([
                ("for_each", ["type": "string", "minLength": 1], true), ("do", inner, true),
                ("in_parallel", ["type": "boolean"], false), ("name", label, false),
            ]))
            alternatives.append(object([
                ("parallel", ["type": "array", "items": inner, "minItems": 2, "maxItems": 4], true),
                ("join", ["type": "string", "enum": ["all", "first"]], false), ("name", label, false),
            ]))
        }
        alternatives.append(object([("wait", ["anyOf": [["type": "integer", "minimum": 1], ["type": "string", "pattern": .string(Self.durationOrTimePattern)]]], true), ("name", label, false)]))
        alternatives.append(object([("stop", ["type": "string", "enum": ["succeeded", "failed"]], true), ("message", ["type": "string"], false), ("name", label, false)]))
        return alternatives
    }

    private func steps(level: Int, minItems: Int) -> JSONValue {
        ["type": "array", "items": .object(["$ref": .string("#/$defs/step_\(level)")]), "minItems": .int(minItems), "maxItems": .int(maxSteps)]
    }

    private var condition: JSONValue { ["type": "string", "minLength": 1] }

    /// An action of `type` at nesting `level`: `type`, `name`, `with`, then `retry` and `on_error`.
    private func action(_ type: NodeType, level: Int) -> JSONValue {
        var fields: [(String, JSONValue, Bool)] = [
            ("type", ["type": "string", "enum": [.string(type.id)]], true),
            ("name", ["type": "string", "pattern": .string(Self.labelPattern)], true),
            ("with", with(type), true),
            ("retry", ["type": "integer", "minimum": 0, "maximum": 5], false),
        ]
        if level + 1 < depth {
            fields.append(("on_error", ["anyOf": [["type": "string", "enum": ["continue"]], steps(level: level + 1, minItems: 1)]], false))
        } else {
            fields.append(("on_error", ["type": "string", "enum": ["continue"]], false))
        }
        return object(fields)
    }

    private func trigger(_ type: NodeType) -> JSONValue {
        object([("type", ["type": "string", "enum": [.string(type.id)]], true), ("with", with(type), true)])
    }

    /// A type's parameters: required ones required; a one-of group (`duration` or `until`) as one alternative per member.
    private func with(_ type: NodeType) -> JSONValue {
        let parameters = type.parameters.filter { $0.required || parameterSchema($0) != nil }
        func fields(requiring extra: String?) -> [(String, JSONValue, Bool)] {
            parameters.compactMap { parameter in
                let required = parameter.required || parameter.name == extra
                let fallback: JSONValue? = required ? ["type": "string", "minLength": 1] : nil
                guard let schema = parameterSchema(parameter) ?? fallback else { return nil }
                return (parameter.name, schema, required)
            }
        }
        guard let group = type.requiresOneOf.first, group.count > 1 else { return object(fields(requiring: nil)) }
        return ["anyOf": .array(group.map { object(fields(requiring: $0)) })]
    }

    // MARK: - Parameters

    /// The schema of one parameter's value, or nil when the dialect cannot say it (a free-form object in strict).
    func parameterSchema(_ parameter: ParameterSpec) -> JSONValue? {
        if parameter.isSecret { return ["type": "string", "pattern": .string(Self.secretPattern)] }
        if let allowed = parameter.allowedValues, !allowed.isEmpty {
            let choice: JSONValue = ["type": "string", "enum": .array(allowed.map(JSONValue.string))]
            if case .list = parameter.type {
                return ["type": "array", "items": choice, "minItems": .int(parameter.required ? 1 : 0), "maxItems": .int(allowed.count)]
            }
            return choice
        }
        return valueSchema(parameter.type, minimum: parameter.minimum, maximum: parameter.maximum, required: parameter.required)
    }

    private func valueSchema(_ type: ParameterType, minimum: Double?, maximum: Double?, required: Bool) -> JSONValue? {
        switch type {
        case .string, .text, .cron, .timezone, .condition:
            // Free text: a pattern that kept every `{{` closed was tried, and the 1.5B model looped under it more
            // often (docs/DESIGN-QUALITY.md).
            return required ? ["type": "string", "minLength": 1] : ["type": "string"]
        case .integer, .number:
            var number: [String: JSONValue] = ["type": .string(type == .integer ? "integer" : "number")]
            if let minimum { number["minimum"] = type == .integer ? .int(Int(minimum)) : .double(minimum) }
            if let maximum { number["maximum"] = type == .integer ? .int(Int(maximum)) : .double(maximum) }
            return ["anyOf": [.object(number), ["type": "string", "pattern": .string(Self.expressionPattern)]]]
        case .boolean:
            return ["anyOf": [["type": "boolean"], ["type": "string", "pattern": .string(Self.expressionPattern)]]]
        case .duration:
            return ["anyOf": [["type": "integer", "minimum": 0], ["type": "string", "pattern": .string(Self.durationOrTimePattern)]]]
        case .any:
            return dialect == .strict ? ["type": "string"] : [:]
        case .list(let element):
            guard let items = valueSchema(element, minimum: nil, maximum: nil, required: true) else { return nil }
            return ["type": "array", "items": items, "maxItems": 10]
        case .object(let fields):
            let members = fields.compactMap { field in parameterSchema(field).map { (field.name, $0, field.required) } }
            return object(members)
        case .map(let value):
            guard dialect == .grammar, let values = valueSchema(value, minimum: nil, maximum: nil, required: false) else { return nil }
            return ["type": "object", "additionalProperties": values]
        case .oneOf(let types):
            let alternatives = types.compactMap { valueSchema($0, minimum: minimum, maximum: maximum, required: required) }
            return alternatives.isEmpty ? nil : ["anyOf": .array(alternatives)]
        }
    }

    // MARK: - Objects

    /// An object with these fields in this order; in strict, every field is required and the optional ones nullable.
    private func object(_ fields: [(String, JSONValue, Bool)], extra: [String: JSONValue] = [:]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for (name, schema, isRequired) in fields {
            switch dialect {
            case .grammar:
                properties[name] = schema
                if isRequired { required.append(.string(name)) }
            case .strict:
                let strict = Self.strictened(schema)
                properties[name] = isRequired ? strict : ["anyOf": [strict, ["type": "null"]]]
                required.append(.string(name))
            }
        }
        var object: [String: JSONValue] = ["type": "object", "properties": .object(properties), "required": .array(required), "additionalProperties": false]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    /// What OpenAI's strict mode does not take, removed: string lengths.
    private static func strictened(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        members["minLength"] = nil
        members["maxLength"] = nil
        if case .array(let alternatives)? = members["anyOf"] { members["anyOf"] = .array(alternatives.map(strictened)) }
        if let items = members["items"] { members["items"] = strictened(items) }
        return .object(members)
    }

    static func definitionName(_ type: String, level: Int) -> String {
        type.replacingOccurrences(of: ".", with: "_") + "_\(level)"
    }

    /// A step's label: what later steps read it by (`{{ fetch.body }}`).
    static let labelPattern = "^[a-z][a-z0-9_]{0,30}$"
    static let secretPattern = "^\\{\\{ ?secrets\\.[A-Z][A-Z0-9_]* ?\\}\\}$"
    static let expressionPattern = "^\\{\\{.+\\}\\}$"
    static let durationOrTimePattern = "^([0-9]+(ms|s|m|h|d)?([0-9]+(s|m|h))*|\\{\\{.+\\}\\}|[0-9]{4}-[0-9]{2}-[0-9]{2}T.+)$"
}
