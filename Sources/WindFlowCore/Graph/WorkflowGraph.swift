/// The nodes and edges of a workflow as an indexed graph, with the questions the validator and the engine ask.
///
/// Edges into a `logic.loop` from inside its own body close the loop's iteration; they are "loop-back" edges and
/// are left out of ordering, cycle detection and ancestry, so a loop's body is not a cycle.
public struct WorkflowGraph: Sendable {
    public let workflow: Workflow
    /// Index of each node id (the first node with that id when ids are duplicated).
    public let indexByID: [String: Int]
    /// For each node index, the indexes of the edges leaving it / entering it (edges to unknown nodes excluded).
    public let outgoing: [[Int]]
    public let incoming: [[Int]]
    /// Edges that return from a loop's body to the loop.
    public let loopBackEdges: Set<Int>

    public init(_ workflow: Workflow, registry: NodeRegistry = .standard) {
        self.workflow = workflow
        var indexByID: [String: Int] = [:]
        for (index, node) in workflow.nodes.enumerated() where indexByID[node.id] == nil {
            indexByID[node.id] = index
        }
        var outgoing = [[Int]](repeating: [], count: workflow.nodes.count)
        var incoming = [[Int]](repeating: [], count: workflow.nodes.count)
        for (index, edge) in workflow.edges.enumerated() {
            guard let source = indexByID[edge.source], let target = indexByID[edge.target] else { continue }
            outgoing[source].append(index)
            incoming[target].append(index)
        }
        self.indexByID = indexByID
        self.outgoing = outgoing
        self.incoming = incoming
        self.loopBackEdges = Self.findLoopBackEdges(workflow, indexByID, outgoing)
    }

    /// Edges `body → loop` where `body` is reachable from the loop's `loop` output without passing the loop again.
    private static func findLoopBackEdges(_ workflow: Workflow, _ indexByID: [String: Int], _ outgoing: [[Int]]) -> Set<Int> {
        var result: Set<Int> = []
        for (loopIndex, node) in workflow.nodes.enumerated() where node.type == "logic.loop" {
            let body = reachable(
                from: outgoing[loopIndex].filter { workflow.edges[$0].branch == "loop" }.compactMap { indexByID[workflow.edges[$0].target] },
                workflow, indexByID, outgoing, stopAt: loopIndex)
            for member in body {
                for edgeIndex in outgoing[member] where indexByID[workflow.edges[edgeIndex].target] == loopIndex {
                    result.insert(edgeIndex)
                }
            }
        }
        return result
    }

    private static func reachable(
        from starts: [Int], _ workflow: Workflow, _ indexByID: [String: Int], _ outgoing: [[Int]], stopAt: Int
    ) -> Set<Int> {
        var seen: Set<Int> = []
        var stack = starts.filter { $0 != stopAt }
        while let current = stack.popLast() {
            guard seen.insert(current).inserted else { continue }
            for edgeIndex in outgoing[current] {
                if let next = indexByID[workflow.edges[edgeIndex].target], next != stopAt, !seen.contains(next) {
                    stack.append(next)
                }
            }
        }
        return seen
    }

    /// The node index an edge leads to.
    public func target(of edgeIndex: Int) -> Int? { indexByID[workflow.edges[edgeIndex].target] }

    /// The node index an edge leaves from.
    public func source(of edgeIndex: Int) -> Int? { indexByID[workflow.edges[edgeIndex].source] }

    /// Forward edges leaving a node (loop-back edges excluded).
    public func forwardOutgoing(_ node: Int) -> [Int] { outgoing[node].filter { !loopBackEdges.contains($0) } }

    /// Forward edges entering a node (loop-back edges excluded).
    public func forwardIncoming(_ node: Int) -> [Int] { incoming[node].filter { !loopBackEdges.contains($0) } }

    /// Node indexes in an order where every node comes after all its forward predecessors, and the nodes left out
    /// because they sit on a cycle.
    public func topologicalOrder() -> (order: [Int], cyclic: [Int]) {
        var remaining = incoming.indices.map { forwardIncoming($0).count }
        var ready = remaining.indices.filter { remaining[$0] == 0 }.reversed() as [Int]
        var order: [Int] = []
        order.reserveCapacity(remaining.count)
        while let node = ready.popLast() {
            order.append(node)
            for edgeIndex in forwardOutgoing(node) {
                guard let next = target(of: edgeIndex) else { continue }
                remaining[next] -= 1
                if remaining[next] == 0 { ready.append(next) }
            }
        }
        let placed = Set(order)
        return (order, remaining.indices.filter { !placed.contains($0) })
    }

    /// One cycle among `candidates`, as node indexes in order, if there is one.
    public func findCycle(among candidates: [Int]) -> [Int]? {
        let allowed = Set(candidates)
        var state = [UInt8](repeating: 0, count: workflow.nodes.count)  // 0 new, 1 on stack, 2 done
        var path: [Int] = []
        for start in candidates where state[start] == 0 {
            // Iterative depth-first search keeping the current path.
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            path = [start]
            while let top = stack.last {
                let edges = forwardOutgoing(top.node)
                if top.next < edges.count {
                    stack[stack.count - 1].next += 1
                    guard let next = target(of: edges[top.next]), allowed.contains(next) else { continue }
                    if state[next] == 1, let from = path.firstIndex(of: next) { return Array(path[from...]) }
                    if state[next] == 0 {
                        state[next] = 1
                        stack.append((next, 0))
                        path.append(next)
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                    path.removeLast()
                }
            }
        }
        return nil
    }

    /// Nodes reachable from `starts` along every edge.
    public func reachable(from starts: [Int]) -> Set<Int> {
        Self.reachable(from: starts, workflow, indexByID, outgoing, stopAt: -1)
    }

    /// The nodes of each loop's body, by loop node index.
    public func loopBodies() -> [Int: Set<Int>] {
        var bodies: [Int: Set<Int>] = [:]
        for (index, node) in workflow.nodes.enumerated() where node.type == "logic.loop" {
            let starts = outgoing[index].filter { workflow.edges[$0].branch == "loop" }.compactMap(target(of:))
            bodies[index] = Self.reachable(from: starts, workflow, indexByID, outgoing, stopAt: index)
        }
        return bodies
    }

    /// For each node, the set of nodes upstream of it along forward edges, computed in one pass in topological
    /// order. Nodes on a cycle get the ancestors reachable backwards without ordering.
    public func ancestors() -> [NodeSet] {
        let count = workflow.nodes.count
        var result = [NodeSet](repeating: NodeSet(capacity: count), count: count)
        let (order, cyclic) = topologicalOrder()
        for node in order {
            for edgeIndex in forwardIncoming(node) {
                guard let parent = source(of: edgeIndex) else { continue }
                result[node].formUnion(result[parent])
                result[node].insert(parent)
            }
        }
        for node in cyclic {
            var seen = NodeSet(capacity: count)
            var stack = [node]
            while let current = stack.popLast() {
                for edgeIndex in forwardIncoming(current) {
                    guard let parent = source(of: edgeIndex), !seen.contains(parent) else { continue }
                    seen.insert(parent)
                    stack.append(parent)
                }
            }
            result[node] = seen
        }
        return result
    }
}

/// A compact set of node indexes.
public struct NodeSet: Sendable, Hashable {
    private var words: [UInt64]

    public init(capacity: Int) {
        words = [UInt64](repeating: 0, count: (capacity + 63) / 64)
    }

    public func contains(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    public mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    public mutating func formUnion(_ other: NodeSet) {
        for index in words.indices { words[index] |= other.words[index] }
    }
}
