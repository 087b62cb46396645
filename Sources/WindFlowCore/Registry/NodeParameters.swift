/// A node's parameters as its executor or trigger reads them: the value the workflow sets, or — when it sets none (or
/// `null`) — the default its type declares in the registry. The one place parameter defaults are applied, so
/// `windflow registry`, the JSON Schema, the editor and the engine all mean the same default; code that reads a
/// parameter writes no default of its own.
///
/// The typed readers throw a ``ParameterError`` when the value is not of the type (a rendered expression that gave
/// text for a number) or when it is unset and the registry declares no default.
public struct NodeParameters: Sendable {
    /// The values as set (rendered, for an executor).
    public var values: [String: JSONValue]
    /// What the registry says about each parameter.
    public var specs: [ParameterSpec]
    /// Where these parameters are, for messages: `""` at the top, `"email."` inside the `email` object.
    public var path: String

    public init(_ values: [String: JSONValue], specs: [ParameterSpec], path: String = "") {
        self.values = values
        self.specs = specs
        self.path = path
    }

    /// The parameters `values` of a node of type `type`.
    public init(_ values: [String: JSONValue], of type: String, registry: NodeRegistry = .standard) {
        self.init(values, specs: registry.type(type)?.parameters ?? [])
    }

    /// A node's configuration as written (triggers read it unrendered).
    public init(_ node: WorkflowNode, registry: NodeRegistry = .standard) {
        self.init(node.configuration, of: node.type, registry: registry)
    }

    /// The default the registry declares for `name`, if any.
    public func declaredDefault(_ name: String) -> JSONValue? {
        specs.first { $0.name == name }?.defaultValue
    }

    /// The value of `name`, or its declared default; `nil` when there is neither.
    public subscript(_ name: String) -> JSONValue? {
        if let value = values[name], !value.isNull { return value }
        return declaredDefault(name)
    }

    /// Whether the workflow sets `name` itself (not counting the default).
    public func isSet(_ name: String) -> Bool {
        values[name].map { !$0.isNull } ?? false
    }

    /// The value of `name` in whatever shape it has.
    public func value(_ name: String) throws(ParameterError) -> JSONValue {
        try read(name, as: "a value") { $0 }
    }

    public func string(_ name: String) throws(ParameterError) -> String {
        try read(name, as: "text") { $0.stringValue }
    }

    /// The value as text when there is one that is not empty (an optional parameter), else nil.
    public func optionalText(_ name: String) -> String? {
        guard let value = self[name], !value.isNull else { return nil }
        let text = value.renderedText
        return text.isEmpty ? nil : text
    }

    /// The value as text: a number or `true`/`false` set where text is read is taken as written (`author_name: 7`).
    public func text(_ name: String) throws(ParameterError) -> String {
        try read(name, as: "text") { $0.isNull ? nil : $0.renderedText }
    }

    public func int(_ name: String) throws(ParameterError) -> Int {
        try read(name, as: "an integer") { $0.intValue }
    }

    public func bool(_ name: String) throws(ParameterError) -> Bool {
        try read(name, as: "true or false") { $0.boolValue }
    }

    /// A duration in seconds: a number, or text such as `90s`, `5m`.
    public func seconds(_ name: String) throws(ParameterError) -> Double {
        try read(name, as: "a duration") { DurationText.seconds(from: $0) }
    }

    public func list(_ name: String) throws(ParameterError) -> [JSONValue] {
        try read(name, as: "a list") { $0.arrayValue }
    }

    public func strings(_ name: String) throws(ParameterError) -> [String] {
        try read(name, as: "a list of text") { $0.arrayValue?.map(\.renderedText) }
    }

    /// The fields of object parameter `name`, with the defaults its fields declare (`email.smtp_port`).
    public func object(_ name: String) -> NodeParameters {
        var fields: [ParameterSpec] = []
        if case .object(let declared)? = specs.first(where: { $0.name == name })?.type { fields = declared }
        return NodeParameters(self[name]?.objectValue ?? [:], specs: fields, path: "\(path)\(name).")
    }

    /// The elements of list-of-objects parameter `name`, each with the defaults its fields declare (`http_probes[0].`).
    public func items(_ name: String) -> [NodeParameters] {
        var fields: [ParameterSpec] = []
        if case .list(of: .object(let declared))? = specs.first(where: { $0.name == name })?.type { fields = declared }
        return (self[name]?.arrayValue ?? []).enumerated().map { index, element in
            NodeParameters(element.objectValue ?? [:], specs: fields, path: "\(path)\(name)[\(index)].")
        }
    }

    private func read<T>(_ name: String, as kind: String, _ convert: (JSONValue) -> T?) throws(ParameterError) -> T {
        guard let value = self[name] else {
            throw ParameterError(parameter: path + name, problem: "is not set, and its node type declares no default")
        }
        guard let typed = convert(value) else {
            // The shape only: the value may be a secret.
            throw ParameterError(parameter: path + name, problem: "is \(value.shapeName), not \(kind)")
        }
        return typed
    }
}

/// A parameter that cannot be read as its reader needs: which, and why (never its value).
public struct ParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `max_rows`, `email.smtp_port`.
    public var parameter: String
    public var problem: String

    public var description: String { "parameter \(parameter) \(problem)" }
}

extension JSONValue {
    /// What kind of value this is, for messages that must not show it.
    var shapeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "true or false"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "text"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
