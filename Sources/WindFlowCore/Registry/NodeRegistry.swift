/// The node types a workflow may use. Open: a type registered here appears in the validator, the JSON Schema, the
/// LLM's catalog and `windflow registry` with nothing else to edit.
public struct NodeRegistry: Sendable {
    private var typesByID: [String: NodeType] = [:]
    private var order: [String] = []

    /// An empty registry.
    public init() {}

    /// A registry holding these types, in this order.
    public init(_ types: [NodeType]) {
        for type in types { register(type) }
    }

    /// Every node type WindFlow ships: triggers, WindFlow actions, logic and integrations.
    public static let standard = NodeRegistry(
        NodeRegistry.triggerTypes + NodeRegistry.windflowTypes + NodeRegistry.logicTypes
            + NodeRegistry.integrationTypes + NodeRegistry.cloudTypes)

    /// Adds a node type, replacing any type with the same id.
    public mutating func register(_ type: NodeType) {
        if typesByID.updateValue(type, forKey: type.id) == nil {
            order.append(type.id)
        }
    }

    /// The type with this id, if registered.
    public func type(_ id: String) -> NodeType? {
        typesByID[id]
    }

    /// Every registered type, in registration order.
    public var types: [NodeType] {
        order.map { typesByID[$0]! }
    }

    /// Every registered id, in registration order.
    public var ids: [String] { order }

    /// The registered id closest to `id`, for "did you mean" suggestions; also matches an id given without its
    /// category (`http` → `integration.http`).
    public func closestType(to id: String) -> String? {
        let lowered = id.lowercased()
        if let exact = order.first(where: { $0.lowercased() == lowered }) { return exact }
        let suffixMatches = order.filter { $0.split(separator: ".").last.map(String.init) == lowered }
        if suffixMatches.count == 1 { return suffixMatches[0] }
        return closestMatch(to: lowered, among: order)
    }
}
