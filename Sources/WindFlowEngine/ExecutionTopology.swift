import WindFlowCore

/// The shape of a workflow as the state machine walks it, computed once: which frame each node belongs to (the
/// top level, or the body of its innermost loop), and each node's incoming and outgoing edges inside its frame.
struct ExecutionTopology: Sendable {
    /// The frame kind of the top level; a loop's body frames have the loop's node index as kind.
    static let rootKind = -1

    let indexByID: [String: Int]
    let isTrigger: [Bool]
    let isFirstMerge: [Bool]
    /// For each node index, the frame kind it belongs to.
    let kindOf: [Int]
    private let membersByKind: [Int: [Int]]
    private let incomingByNode: [[Int]]
    private let outgoingByNode: [[Int]]
    /// Edges from each loop into its body (branch `loop`), taken as each iteration starts.
    let entryEdges: [Int: [Int]]

    init(_ workflow: Workflow, registry: NodeRegistry) {
        let graph = WorkflowGraph(workflow, registry: registry)
        indexByID = graph.indexByID
        isTrigger = workflow.nodes.map { registry.type($0.type)?.isTrigger ?? $0.type.hasPrefix("trigger.") }
        isFirstMerge = workflow.nodes.map { $0.type == "logic.merge" && $0.configuration["mode"]?.stringValue == "first" }
        let bodies = graph.loopBodies()
        // The innermost loop holding a node is the one with the smallest body among those that hold it.
        var kindOf = [Int](repeating: Self.rootKind, count: workflow.nodes.count)
        for node in workflow.nodes.indices {
            let holders = bodies.filter { $0.value.contains(node) }
            if let innermost = holders.min(by: { $0.value.count < $1.value.count }) { kindOf[node] = innermost.key }
        }
        self.kindOf = kindOf
        var members: [Int: [Int]] = [Self.rootKind: []]
        for (node, kind) in kindOf.enumerated() { members[kind, default: []].append(node) }
        for loop in bodies.keys where members[loop] == nil { members[loop] = [] }
        membersByKind = members
        var incoming = [[Int]](repeating: [], count: workflow.nodes.count)
        var outgoing = [[Int]](repeating: [], count: workflow.nodes.count)
        var entries: [Int: [Int]] = [:]
        for (edgeIndex, edge) in workflow.edges.enumerated() where !graph.loopBackEdges.contains(edgeIndex) {
            guard let source = graph.indexByID[edge.source], let target = graph.indexByID[edge.target] else { continue }
            if kindOf[source] == kindOf[target] {
                outgoing[source].append(edgeIndex)
                incoming[target].append(edgeIndex)
            } else if kindOf[target] == source, edge.branch == "loop" {
                entries[source, default: []].append(edgeIndex)
                incoming[target].append(edgeIndex)
            }
        }
        incomingByNode = incoming
        outgoingByNode = outgoing
        entryEdges = entries
    }

    func members(_ kind: Int) -> [Int] { membersByKind[kind] ?? [] }

    /// Edges into `node` that its frame tracks (including a loop's entry edges into its body).
    func incoming(_ node: Int, kind: Int) -> [Int] { incomingByNode[node] }

    /// Edges out of `node` inside its frame (a loop's entry edges belong to its body frames, not here).
    func outgoing(_ node: Int, kind: Int) -> [Int] { outgoingByNode[node] }
}

/// One frame: the top level, or one iteration of a loop's body.
struct Frame: Sendable {
    let path: FramePath
    let kind: Int
    var item: JSONValue?
    var index: Int?
    var edges: [Int: EdgeState] = [:]
    /// Members not yet resolved; the frame is complete at zero.
    var unresolved: Int
    /// Outputs of the nodes that finished in this frame, by node id.
    var outputs: [String: JSONValue] = [:]
    /// The order nodes finished in, for merges that append in arrival order.
    var finishOrder: [String: Int] = [:]

    init(path: FramePath, kind: Int, topology: ExecutionTopology, item: JSONValue? = nil, index: Int? = nil) {
        self.path = path
        self.kind = kind
        self.item = item
        self.index = index
        self.unresolved = topology.members(kind).count
        if kind != ExecutionTopology.rootKind {
            for edge in topology.entryEdges[kind] ?? [] { edges[edge] = .taken }
        }
    }
}

/// A loop node's progress through its items.
struct LoopProgress: Sendable, Hashable {
    var items: [JSONValue]
    var parallel: Int
    var next = 0
    var active = 0
    var results: [JSONValue?]
    var startedAt: Double

    init(items: [JSONValue], parallel: Int, startedAt: Double) {
        self.items = items
        self.parallel = max(1, parallel)
        self.results = Array(repeating: nil, count: items.count)
        self.startedAt = startedAt
    }
}
