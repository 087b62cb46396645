import WindFlowCore

/// One run of a node inside an execution: the node id and, inside loops, which iteration of which loop.
/// Written `restart` at the top level, `each[2]/restart` inside the third iteration of loop `each`.
public struct NodeKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var frame: FramePath
    public var node: String

    public init(_ node: String, frame: FramePath = FramePath()) {
        self.node = node
        self.frame = frame
    }

    public var description: String { frame.steps.isEmpty ? node : "\(frame)/\(node)" }

    /// Reads the form `description` writes.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/").map(String.init)
        guard let last = parts.last, !last.isEmpty else { return nil }
        var steps: [FrameStep] = []
        for part in parts.dropLast() {
            guard let open = part.firstIndex(of: "["), part.hasSuffix("]"),
                let iteration = Int(part[part.index(after: open)..<part.index(before: part.endIndex)])
            else { return nil }
            steps.append(FrameStep(loop: String(part[..<open]), iteration: iteration))
        }
        self.init(last, frame: FramePath(steps))
    }

    public static func < (lhs: NodeKey, rhs: NodeKey) -> Bool { lhs.description < rhs.description }
}

/// Where a node runs: the loop iterations that enclose it, outermost first; empty at the top level.
public struct FramePath: Sendable, Hashable, CustomStringConvertible {
    public var steps: [FrameStep]

    public init(_ steps: [FrameStep] = []) {
        self.steps = steps
    }

    public var description: String { steps.map { "\($0.loop)[\($0.iteration)]" }.joined(separator: "/") }

    /// The path of iteration `iteration` of loop `loop` inside this frame.
    public func entering(_ loop: String, iteration: Int) -> FramePath {
        FramePath(steps + [FrameStep(loop: loop, iteration: iteration)])
    }

    /// The enclosing frame, or `nil` at the top level.
    public var parent: FramePath? { steps.isEmpty ? nil : FramePath(Array(steps.dropLast())) }
}

/// One iteration of one loop.
public struct FrameStep: Sendable, Hashable {
    public var loop: String
    public var iteration: Int

    public init(loop: String, iteration: Int) {
        self.loop = loop
        self.iteration = iteration
    }
}
