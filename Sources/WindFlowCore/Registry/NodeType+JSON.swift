import Foundation

extension NodeType {
    /// The node type as the registry API and `windflow registry --format json` show it: everything an editor form
    /// or an LLM needs.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "category": .string(category.rawValue), "display_name": .string(displayName),
            "description": .string(summary), "icon": .string(icon), "is_trigger": .bool(isTrigger),
            "parameters": .array(parameters.map(\.jsonValue)),
            "outputs": .array(outputs.map { ["name": .string($0.name), "type": .string($0.type.rawValue), "description": .string($0.description)] }),
            "dynamic_outputs": .bool(hasDynamicOutputs),
        ]
        if !requiredWhen.isEmpty {
            object["required_when"] = .array(requiredWhen.map {
                ["parameter": .string($0.parameter), "is": .string($0.value), "requires": .array($0.required.map(JSONValue.string))]
            })
        }
        if !requiresOneOf.isEmpty { object["requires_one_of"] = .array(requiresOneOf.map { .array($0.map(JSONValue.string)) }) }
        switch branches {
        case .main: object["branches"] = []
        case .named(let names): object["branches"] = .array(names.map(JSONValue.string))
        case .cases(let parameter, let fallback):
            object["branches"] = .array([.string(fallback)])
            object["branches_from"] = .string(parameter)
        }
        return .object(object)
    }
}

extension ParameterSpec {
    /// The parameter as the registry API shows it.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "type": type.jsonValue, "required": .bool(required), "description": .string(description),
        ]
        if let defaultValue { object["default"] = defaultValue }
        if let allowedValues { object["enum"] = .array(allowedValues.map(JSONValue.string)) }
        if let minimum { object["minimum"] = .double(minimum) }
        if let maximum { object["maximum"] = .double(maximum) }
        if let example { object["example"] = example }
        if isSecret { object["secret"] = true }
        return .object(object)
    }
}

extension ParameterType {
    /// The type as the registry API shows it: a name, with element or field types where it has them.
    public var jsonValue: JSONValue {
        switch self {
        case .list(let element): return ["kind": "list", "of": element.jsonValue]
        case .object(let fields): return ["kind": "object", "fields": .array(fields.map(\.jsonValue))]
        case .map(let value): return ["kind": "map", "of": value.jsonValue]
        case .oneOf(let types): return ["kind": "one_of", "types": .array(types.map(\.jsonValue))]
        default: return ["kind": .string(displayName.replacingOccurrences(of: " ", with: "_"))]
        }
    }
}
