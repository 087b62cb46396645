/// The JSON Schema (draft-07) of the workflow file format, generated from the registry, for editor completion
/// (yaml-language-server) and for constraining LLM output.
public enum WorkflowSchema {
    public static let schemaID = "https://windflow.dev/schema/workflow.json"

    /// The schema for `registry`.
    public static func generate(registry: NodeRegistry = .standard) -> JSONValue {
        var definitions: [String: JSONValue] = [
            "workflow_body": workflowBody, "node": node(registry), "edge": edge, "settings": settings,
            "duration": duration, "retry": retry, "expression": expression,
        ]
        for type in registry.types { definitions["configuration.\(type.id)"] = configuration(type) }
        return [
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": .string(schemaID),
            "title": "WindFlow workflow",
            "description": "A WindFlow workflow: nodes (a trigger and the steps it starts) joined by edges.",
            "anyOf": [
                ["type": "object", "required": ["workflow"], "properties": ["workflow": ["$ref": "#/definitions/workflow_body"]],
                 "additionalProperties": false],
                ["$ref": "#/definitions/workflow_body"],
            ],
            "definitions": .object(definitions),
        ]
    }

    private static let workflowBody: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string", "description": "The workflow's name."],
            "description": ["type": "string", "description": "What the workflow does."],
            "tags": ["type": "array", "items": ["type": "string"], "description": "Words to find it by."],
            "settings": ["$ref": "#/definitions/settings"],
            "trigger": ["type": "object", "required": ["type"],
                        "description": "Shorthand for a first trigger node with id 'trigger'; its other keys are its configuration.",
                        "properties": ["type": ["type": "string", "description": "manual, schedule, webhook, event or file"]]],
            "nodes": ["type": "array", "items": ["$ref": "#/definitions/node"],
                      "description": "The steps. Without edges, they run in this order."],
            "edges": ["type": "array", "items": ["$ref": "#/definitions/edge"]],
        ],
        "additionalProperties": false,
    ]

    private static func node(_ registry: NodeRegistry) -> JSONValue {
        let conditionals: [JSONValue] = registry.types.map { type in
            [
                "if": ["properties": ["type": ["const": .string(type.id)]], "required": ["type"]],
                "then": ["properties": ["configuration": ["$ref": .string("#/definitions/configuration.\(type.id)")]]],
            ]
        }
        return [
            "type": "object",
            "required": ["id", "type"],
            "properties": [
                "id": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$",
                       "description": "Unique; later nodes read its outputs as {{ id.field }}."],
                "type": ["type": "string", "enum": .array(registry.ids.map(JSONValue.string)),
                         "description": "The node type; see windflow registry."],
                "name": ["type": "string", "description": "A label for people."],
                "configuration": ["type": "object", "description": "The node type's parameters."],
                "error_handling": ["enum": ["stop", "continue", "branch"], "default": "stop",
                                   "description": "On failure: fail the run, go on, or follow the error edges."],
                "retry_count": ["type": "integer", "minimum": 0, "maximum": 100, "default": 0,
                                "description": "Retries for retryable failures (timeouts, connection errors, 5xx)."],
                "retry": ["$ref": "#/definitions/retry"],
                "timeout": ["$ref": "#/definitions/duration"],
                "position": ["type": "object", "properties": ["x": ["type": "number"], "y": ["type": "number"]],
                             "description": "Where the editor draws the node."],
                "disabled": ["type": "boolean", "default": false],
                "notes": ["type": "string"],
            ],
            "additionalProperties": false,
            "allOf": .array(conditionals),
        ]
    }

    private static let edge: JSONValue = [
        "type": "object",
        "required": ["source", "target"],
        "properties": [
            "source": ["type": "string"], "target": ["type": "string"],
            "branch": ["type": "string",
                       "description": "The output it leaves from: true/false, a switch case, loop/done, error; none for the main output."],
        ],
        "additionalProperties": false,
    ]

    private static let settings: JSONValue = [
        "type": "object",
        "properties": [
            "timezone": ["type": "string", "description": "IANA time zone, e.g. Europe/Paris."],
            "timeout": ["$ref": "#/definitions/duration"],
            "max_parallel": ["type": "integer", "minimum": 1, "maximum": 1024, "description": "Nodes running at once."],
            "error_workflow": ["type": "string", "description": "Workflow started with the failed execution as input."],
        ],
        "additionalProperties": false,
    ]

    private static let duration: JSONValue = [
        "description": "Seconds, or text such as 90s, 5m, 1h30m.",
        "anyOf": [
            ["type": "number", "minimum": 0],
            ["type": "string", "pattern": "^\\s*([0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h|d|w)\\s*)+$"],
        ],
    ]

    private static let retry: JSONValue = [
        "type": "object",
        "description": "Backoff between retries.",
        "properties": [
            "initial_delay": ["$ref": "#/definitions/duration"], "max_delay": ["$ref": "#/definitions/duration"],
            "factor": ["type": "number", "minimum": 1, "maximum": 10], "jitter": ["type": "number", "minimum": 0, "maximum": 1],
        ],
        "additionalProperties": false,
    ]

    private static let expression: JSONValue = [
        "type": "string", "pattern": "\\{\\{", "description": "A {{ … }} expression, evaluated when the node runs.",
    ]

    private static func configuration(_ type: NodeType) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for parameter in type.parameters { properties[parameter.name] = schema(for: parameter) }
        // Node settings the seed writes inside configuration, and the condition shorthand.
        properties["retry_count"] = ["type": "integer", "minimum": 0, "description": "Node setting; best written beside configuration."]
        properties["error_handling"] = ["enum": ["stop", "continue", "branch"], "description": "Node setting; best written beside configuration."]
        if type.id == "logic.condition" {
            let targets: JSONValue = ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]]
            properties["true_branch"] = targets
            properties["false_branch"] = targets
        }
        var object: [String: JSONValue] = [
            "type": "object", "description": .string(type.summary), "properties": .object(properties),
            "additionalProperties": false,
        ]
        let required = type.parameters.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { object["required"] = .array(required) }
        return .object(object)
    }

    /// The schema of one parameter, with its description, default, choices and an example.
    static func schema(for parameter: ParameterSpec) -> JSONValue {
        guard case .object(var object) = schema(for: parameter.type, allowed: parameter.allowedValues, spec: parameter) else {
            return .object([:])
        }
        object["description"] = .string(parameter.description)
        if let defaultValue = parameter.defaultValue { object["default"] = defaultValue }
        if let example = parameter.example { object["examples"] = [example] }
        return .object(object)
    }

    private static func schema(for type: ParameterType, allowed: [String]?, spec: ParameterSpec) -> JSONValue {
        var base: [String: JSONValue]
        var acceptsExpression = true
        switch type {
        case .string, .text, .cron, .timezone:
            base = ["type": "string"]
            if let allowed { base["enum"] = .array(allowed.map(JSONValue.string)) } else { acceptsExpression = false }
        case .integer, .number:
            base = ["type": .string(type == .integer ? "integer" : "number")]
            if let minimum = spec.minimum { base["minimum"] = .double(minimum) }
            if let maximum = spec.maximum { base["maximum"] = .double(maximum) }
        case .boolean: base = ["type": "boolean"]
        case .duration: base = ["$ref": "#/definitions/duration"]
        case .condition:
            base = ["type": ["string", "boolean"]]
            acceptsExpression = false
        case .any:
            return [:]
        case .list(let element):
            base = ["type": "array", "items": schema(for: element, allowed: allowed, spec: spec)]
        case .object(let fields):
            var properties: [String: JSONValue] = [:]
            for field in fields { properties[field.name] = schema(for: field) }
            base = ["type": "object", "properties": .object(properties), "additionalProperties": false]
            let required = fields.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { base["required"] = .array(required) }
        case .map(let value):
            base = ["type": "object", "additionalProperties": schema(for: value, allowed: nil, spec: spec)]
        case .oneOf(let types):
            base = ["anyOf": .array(types.map { schema(for: $0, allowed: allowed, spec: spec) })]
            acceptsExpression = false
        }
        guard acceptsExpression else { return .object(base) }
        return ["anyOf": [.object(base), ["$ref": "#/definitions/expression"]]]
    }
}
