/// What a kind of node is: its identity, the parameters it takes, what it outputs and where it can lead.
///
/// Node types are plain data so that the validator, the JSON Schema, the editor's forms and the LLM's catalog are
/// all generated from the same description.
public struct NodeType: Sendable, Hashable {
    /// The stable id used in workflow files, e.g. `integration.http`.
    public var id: String
    public var category: NodeCategory
    public var displayName: String
    /// One line saying what the node does.
    public var summary: String
    /// An icon name the editor maps to a glyph.
    public var icon: String
    public var parameters: [ParameterSpec]
    /// Groups of parameters of which at least one must be set (e.g. `replicas` or `scale_factor`).
    public var requiresOneOf: [[String]]
    /// Parameters that become required by the value of another (`authentication: hmac` needs `hmac_secret`).
    public var requiredWhen: [ConditionalRequirement]
    public var outputs: [OutputField]
    /// Whether the node may output fields beyond ``outputs`` (a webhook's body fields, a script's own fields).
    public var hasDynamicOutputs: Bool
    public var branches: BranchSpec
    public var isTrigger: Bool

    public init(
        id: String, category: NodeCategory, displayName: String, summary: String, icon: String,
        parameters: [ParameterSpec] = [], requiresOneOf: [[String]] = [], outputs: [OutputField] = [],
        hasDynamicOutputs: Bool = false, branches: BranchSpec = .main, isTrigger: Bool = false,
        requiredWhen: [ConditionalRequirement] = []
    ) {
        self.id = id
        self.category = category
        self.displayName = displayName
        self.summary = summary
        self.icon = icon
        self.parameters = parameters
        self.requiresOneOf = requiresOneOf
        self.requiredWhen = requiredWhen
        self.outputs = outputs
        self.hasDynamicOutputs = hasDynamicOutputs
        self.branches = branches
        self.isTrigger = isTrigger
    }

    /// The parameter with this name, if the type declares one.
    public func parameter(_ name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }

    /// The output field with this name, if the type declares one.
    public func output(_ name: String) -> OutputField? {
        outputs.first { $0.name == name }
    }
}

/// "When `parameter` is `value` (or, for a list, contains it), `required` must be set too."
public struct ConditionalRequirement: Sendable, Hashable {
    public var parameter: String
    public var value: String
    public var required: [String]

    public init(when parameter: String, is value: String, requires required: [String]) {
        self.parameter = parameter
        self.value = value
        self.required = required
    }

    /// Whether the requirement applies to `configuration`, reading `defaultValue` when the parameter is not set.
    public func applies(to configuration: [String: JSONValue], defaultValue: JSONValue?) -> Bool {
        switch configuration[parameter] ?? defaultValue {
        case .string(let text)?: return text == value
        case .array(let elements)?: return elements.contains(.string(value))
        default: return false
        }
    }
}

/// The palette groups node types by category.
public enum NodeCategory: String, Sendable, Hashable, CaseIterable {
    case trigger
    case windflow
    case logic
    case integration

    /// The heading the palette and `windflow registry` show.
    public var title: String {
        switch self {
        case .trigger: return "Triggers"
        case .windflow: return "WindFlow actions"
        case .logic: return "Logic"
        case .integration: return "Integrations"
        }
    }
}

/// The named outputs a node can leave from.
public enum BranchSpec: Sendable, Hashable {
    /// One unnamed main output.
    case main
    /// Fixed named outputs, e.g. `true` / `false`; edges must name one of them.
    case named([String])
    /// Outputs named by the configuration: each element of the list parameter `parameter` has a `name`, plus a
    /// fallback output named `fallback` (a switch's cases and its `default`).
    case cases(parameter: String, fallback: String)
}

/// One input a node type takes.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var type: ParameterType
    public var required: Bool
    public var defaultValue: JSONValue?
    /// The only values allowed, when the parameter is a choice.
    public var allowedValues: [String]?
    public var minimum: Double?
    public var maximum: Double?
    public var description: String
    public var example: JSONValue?
    /// Holds a credential: it should be written as `{{ secrets.NAME }}`, never as a literal.
    public var isSecret: Bool

    public init(
        _ name: String, _ type: ParameterType, required: Bool = false, default defaultValue: JSONValue? = nil,
        allowed allowedValues: [String]? = nil, min minimum: Double? = nil, max maximum: Double? = nil,
        description: String, example: JSONValue? = nil, secret isSecret: Bool = false
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.minimum = minimum
        self.maximum = maximum
        self.description = description
        self.example = example
        self.isSecret = isSecret
    }
}

/// The shape of a parameter's value.
public indirect enum ParameterType: Sendable, Hashable {
    /// One line of text.
    case string
    /// Multi-line text (a script, a query, a message body).
    case text
    case integer
    case number
    case boolean
    /// Seconds as a number, or text such as `90s`, `5m`, `1h30m`.
    case duration
    /// A cron expression (`*/5 * * * *`, `@daily`).
    case cron
    /// An IANA time zone name (`Europe/Paris`, `UTC`).
    case timezone
    /// An expression that decides something: `{{ a > 1 }}`, or the bare `a > 1`.
    case condition
    /// Any JSON value.
    case any
    case list(of: ParameterType)
    /// An object with these known fields.
    case object([ParameterSpec])
    /// An object whose keys are free and whose values have one type (headers, environment variables).
    case map(of: ParameterType)
    /// Any one of these shapes (e.g. a status code, a list of them, or a range such as `200-299`).
    case oneOf([ParameterType])

    /// How the type reads in messages and in `windflow registry`.
    public var displayName: String {
        switch self {
        case .string: return "string"
        case .text: return "text"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .duration: return "duration"
        case .cron: return "cron"
        case .timezone: return "time zone"
        case .condition: return "condition"
        case .any: return "any"
        case .list(let element): return "list of \(element.displayName)"
        case .object: return "object"
        case .map(let value): return "map of \(value.displayName)"
        case .oneOf(let types): return types.map(\.displayName).joined(separator: " or ")
        }
    }
}

/// One field a node type outputs, which later nodes read as `{{ node_id.field }}`.
public struct OutputField: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var description: String

    public init(_ name: String, _ type: ValueType, _ description: String) {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// The kind of value an output field holds.
public enum ValueType: String, Sendable, Hashable, CaseIterable {
    case string, integer, number, boolean, list, object, any
}
