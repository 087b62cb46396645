import Foundation
import WindFlowCore

/// The rules of one execution, as a pure state machine: events in, actions out. No I/O, no clock, no randomness —
/// replaying the same events gives the same state, which is how an execution resumes after a crash.
///
/// Nodes run when their incoming edges are resolved; a branch not taken is skipped and skips propagate. A loop runs
/// its body in frames, one per item; each frame has its own node states and outputs.
public struct ExecutionStateMachine: Sendable {
    public let workflow: Workflow
    public let executionID: String
    let topology: ExecutionTopology
    let maxParallel: Int

    var frames: [FramePath: Frame] = [:]
    var nodes: [NodeKey: NodeState] = [:]
    /// Nodes ready to run but waiting for a parallel slot, first come first served.
    var queue: [NodeKey] = []
    var runningCount = 0
    var finishSequence = 0
    public private(set) var status: ExecutionStatus = .queued
    public private(set) var error: ExecutionError?
    public private(set) var triggerNode: String?

    public init(workflow: Workflow, executionID: String, registry: NodeRegistry = .standard) {
        self.workflow = workflow
        self.executionID = executionID
        self.topology = ExecutionTopology(workflow, registry: registry)
        self.maxParallel = max(1, workflow.settings.maxParallel ?? 16)
    }

    /// Applies one event and returns what the driver must do.
    public mutating func handle(_ event: ExecutionEvent) -> [ExecutionAction] {
        var actions: [ExecutionAction] = []
        switch event {
        case .started(let trigger, let input, _):
            guard status == .queued else { return [] }
            start(trigger: trigger, input: input, into: &actions)
        case .nodeFinished(let key, let attempt, let outcome, let at):
            guard !status.isTerminal, case .running(attempt)? = nodes[key] else { return [] }
            runningCount -= 1
            finished(key, attempt: attempt, outcome: outcome, at: at, into: &actions)
        case .timerFired(let key, let at):
            guard !status.isTerminal else { return [] }
            timerFired(key, at: at, into: &actions)
        case .resumed(let interrupted, _):
            guard !status.isTerminal else { return [] }
            for key in interrupted.sorted() {
                if case .running(let attempt)? = nodes[key] {
                    nodes[key] = .running(attempt: attempt + 1)
                    actions.append(.run(key, attempt: attempt + 1))
                }
            }
        case .reused(let key, let output, let branch, _):
            guard !status.isTerminal else { return [] }
            switch nodes[key] {
            case .running?: runningCount -= 1
            case .queued?: queue.removeAll { $0 == key }
            case .pending?: break
            default: return []
            }
            resolveSucceeded(key, output: output, branch: branch, status: .reused, into: &actions)
        case .cancelled:
            guard !status.isTerminal else { return [] }
            finish(.cancelled, nil, into: &actions)
        case .timedOut(let at):
            guard !status.isTerminal else { return [] }
            let limit = workflow.settings.timeout.map { JSONValue.format($0) } ?? "?"
            finish(.failed, ExecutionError(kind: .timeout, message: "the workflow ran longer than its timeout (\(limit) s)"),
                   into: &actions)
            _ = at
        }
        if !status.isTerminal {
            dispatch(into: &actions)
            updateWaitingStatus()
        }
        return actions
    }

    // MARK: Starting

    private mutating func start(trigger: String, input: JSONValue, into actions: inout [ExecutionAction]) {
        status = .running
        triggerNode = trigger
        guard let triggerIndex = topology.indexByID[trigger], topology.isTrigger[triggerIndex],
            topology.kindOf[triggerIndex] == ExecutionTopology.rootKind
        else {
            finish(.failed, ExecutionError(kind: .configuration, message: "'\(trigger)' is not a trigger of this workflow"),
                   into: &actions)
            return
        }
        let root = FramePath()
        frames[root] = Frame(path: root, kind: ExecutionTopology.rootKind, topology: topology)
        for member in topology.members(ExecutionTopology.rootKind) {
            nodes[NodeKey(workflow.nodes[member].id)] = .pending
        }
        // The trigger that fired has its input as output; other triggers are skipped, and so is anything only they lead to.
        for member in topology.members(ExecutionTopology.rootKind) where topology.isTrigger[member] {
            let key = NodeKey(workflow.nodes[member].id)
            if workflow.nodes[member].id == trigger {
                resolveSucceeded(key, output: input, branch: nil, into: &actions)
            } else {
                resolveSkipped(key, into: &actions)
            }
        }
        for member in topology.members(ExecutionTopology.rootKind) where !topology.isTrigger[member] {
            evaluateReadiness(NodeKey(workflow.nodes[member].id), into: &actions)
        }
    }

    // MARK: Node results

    private mutating func finished(
        _ key: NodeKey, attempt: Int, outcome: NodeOutcome, at: Double, into actions: inout [ExecutionAction]
    ) {
        guard let index = topology.indexByID[key.node] else { return }
        let node = workflow.nodes[index]
        switch outcome {
        case .succeeded(let output, let branch):
            resolveSucceeded(key, output: output, branch: branch, into: &actions)
        case .failed(let failure):
            if failure.retryable, failure.kind != .cancelled, attempt <= node.retryCount {
                let delay = (node.retry ?? .default).delay(beforeRetry: attempt, unit: jitterUnit(key, attempt))
                nodes[key] = .retrying(attempt: attempt + 1, at: at + delay)
                actions.append(.retry(key, attempt: attempt + 1, at: at + delay))
            } else {
                resolveFailed(key, failure: failure, handling: node.errorHandling, into: &actions)
            }
        case .wait(let until):
            nodes[key] = .parked(until: until, since: at)
            actions.append(.park(key, until: until))
        case .iterate(let items, let parallel):
            startLoop(key, items: items, parallel: parallel, at: at, into: &actions)
        case .stop(let succeeded, let message):
            nodes[key] = succeeded ? .succeeded : .failed
            frames[key.frame]?.outputs[key.node] = ["message": .string(message)]
            actions.append(.settled(key, succeeded ? .succeeded : .failed, branch: nil,
                                    failure: succeeded ? nil : NodeFailure(.stopped, message, retryable: false)))
            finish(succeeded ? .succeeded : .failed,
                   succeeded ? nil : ExecutionError(kind: .stopped, message: message, node: key), into: &actions)
        }
    }

    private mutating func timerFired(_ key: NodeKey, at: Double, into actions: inout [ExecutionAction]) {
        switch nodes[key] {
        case .retrying(let attempt, _)?:
            nodes[key] = .queued(attempt: attempt)
            queue.append(key)
        case .parked(let until, let since)?:
            let waited: JSONValue = [
                "waited_until": .string(Self.iso8601(until)), "waited_seconds": .double(max(0, at - since)),
            ]
            actions.append(.completed(key, output: waited))
            resolveSucceeded(key, output: waited, branch: nil, into: &actions)
        default:
            break
        }
    }

    /// A node failed for good: its error handling decides what follows.
    private mutating func resolveFailed(
        _ key: NodeKey, failure: NodeFailure, handling: ErrorHandling, into actions: inout [ExecutionAction]
    ) {
        let errorOutput: JSONValue = ["error": failure.jsonValue]
        let status: NodeRunStatus = failure.kind == .cancelled ? .cancelled : .failed
        switch handling {
        case .continue:
            nodes[key] = .failed
            // Going on means the node's usual way forward: a loop's done, a switch's default.
            let type = topology.indexByID[key.node].map { workflow.nodes[$0].type }
            let onward = type == "logic.loop" ? "done" : type == "logic.switch" ? "default" : nil
            actions.append(.settled(key, status, branch: onward, failure: failure))
            resolve(key, output: errorOutput, taking: .branch(onward), into: &actions)
        case .branch:
            nodes[key] = .failed
            actions.append(.settled(key, status, branch: "error", failure: failure))
            resolve(key, output: errorOutput, taking: .branch("error"), into: &actions)
        case .stop:
            nodes[key] = .failed
            actions.append(.settled(key, status, branch: nil, failure: failure))
            if let loop = key.frame.steps.last {
                // A failed iteration fails its loop node, whose own error handling then applies.
                let loopKey = NodeKey(loop.loop, frame: key.frame.parent ?? FramePath())
                abandonLoop(loopKey, into: &actions)
                let message = "item \(loop.iteration): node '\(key.node)' failed: \(failure.message)"
                let loopFailure = NodeFailure(.loopIteration, message, retryable: false, details: failure.details, output: failure.jsonValue)
                let loopHandling = topology.indexByID[loop.loop].map { workflow.nodes[$0].errorHandling } ?? .stop
                resolveFailed(loopKey, failure: loopFailure, handling: loopHandling, into: &actions)
            } else {
                finish(.failed, ExecutionError(kind: failure.kind, message: failure.message, node: key), into: &actions)
            }
        }
    }

    mutating func resolveSucceeded(_ key: NodeKey, output: JSONValue, branch: String?, status: NodeRunStatus = .succeeded,
                                   into actions: inout [ExecutionAction]) {
        nodes[key] = .succeeded
        actions.append(.settled(key, status, branch: branch, failure: nil))
        resolve(key, output: output, taking: .branch(branch), into: &actions)
    }

    mutating func resolveSkipped(_ key: NodeKey, into actions: inout [ExecutionAction]) {
        nodes[key] = .skipped
        actions.append(.skip(key))
        resolve(key, output: nil, taking: .none, into: &actions)
    }

    enum Taken: Equatable {
        /// Edges leaving from this output (nil: the main output) are taken, all others skipped.
        case branch(String?)
        /// Every outgoing edge is taken (a disabled node passes through).
        case all
        /// Every outgoing edge is skipped.
        case none
    }

    /// Records the node's output, resolves its outgoing edges, and looks at what they lead to.
    private mutating func resolve(_ key: NodeKey, output: JSONValue?, taking: Taken, into actions: inout [ExecutionAction]) {
        guard var frame = frames[key.frame], let index = topology.indexByID[key.node] else { return }
        if let output { frame.outputs[key.node] = output }
        finishSequence += 1
        frame.finishOrder[key.node] = finishSequence
        var targets: [Int] = []
        for edgeIndex in topology.outgoing(index, kind: frame.kind) {
            let edge = workflow.edges[edgeIndex]
            let taken: Bool
            switch taking {
            case .all: taken = edge.branch != "error"
            case .none: taken = false
            case .branch(let branch): taken = edge.branch == branch
            }
            frame.edges[edgeIndex] = taken ? .taken : .skipped
            if let target = topology.indexByID[edge.target] { targets.append(target) }
        }
        frame.unresolved -= 1
        frames[key.frame] = frame
        for target in targets {
            evaluateReadiness(NodeKey(workflow.nodes[target].id, frame: key.frame), into: &actions)
        }
        if frames[key.frame]?.unresolved == 0 { frameCompleted(key.frame, into: &actions) }
    }

    /// Runs, queues or skips a pending node whose inputs may now be resolved.
    mutating func evaluateReadiness(_ key: NodeKey, into actions: inout [ExecutionAction]) {
        guard case .pending? = nodes[key], let frame = frames[key.frame], let index = topology.indexByID[key.node] else { return }
        let incoming = topology.incoming(index, kind: frame.kind)
        let states = incoming.map { frame.edges[$0] ?? .pending }
        let anyTaken = states.contains(.taken)
        let allResolved = !states.contains(.pending)
        let firstWins = topology.isFirstMerge[index]
        if incoming.isEmpty || (allResolved && !anyTaken) {
            resolveSkipped(key, into: &actions)
        } else if anyTaken && (allResolved || firstWins) {
            if workflow.nodes[index].disabled {
                nodes[key] = .skipped
                actions.append(.skip(key))
                resolve(key, output: [:], taking: .all, into: &actions)
            } else {
                nodes[key] = .queued(attempt: 1)
                queue.append(key)
            }
        }
    }

    /// Starts queued nodes while there are parallel slots.
    private mutating func dispatch(into actions: inout [ExecutionAction]) {
        while runningCount < maxParallel, !queue.isEmpty, !status.isTerminal {
            let key = queue.removeFirst()
            guard case .queued(let attempt)? = nodes[key] else { continue }
            nodes[key] = .running(attempt: attempt)
            runningCount += 1
            actions.append(.run(key, attempt: attempt))
        }
    }

    private mutating func updateWaitingStatus() {
        guard !status.isTerminal else { return }
        let active = runningCount > 0 || !queue.isEmpty
        status = active ? .running : (nodes.values.contains { $0.isTimed } ? .waiting : .running)
    }

    mutating func finish(_ final: ExecutionStatus, _ failure: ExecutionError?, into actions: inout [ExecutionAction]) {
        let running = nodes.filter { $0.value.isRunning }.map(\.key).sorted()
        for key in running { nodes[key] = .failed }
        if !running.isEmpty { actions.append(.cancel(running)) }
        runningCount = 0
        queue.removeAll()
        status = final
        error = failure
        actions.append(.finish(final, failure))
    }

    /// A deterministic number in 0..<1 per node attempt, for retry jitter.
    private func jitterUnit(_ key: NodeKey, _ attempt: Int) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(executionID)|\(key)|\(attempt)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Double(hash >> 11) / Double(1 << 53)
    }

    /// `seconds` since 1970 as an ISO 8601 UTC time.
    public static func iso8601(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// The state of one node run.
enum NodeState: Sendable, Hashable {
    case pending
    case queued(attempt: Int)
    case running(attempt: Int)
    case retrying(attempt: Int, at: Double)
    case parked(until: Double, since: Double)
    case iterating(LoopProgress)
    case succeeded
    case failed
    case skipped

    var isRunning: Bool {
        if case .running = self { return true }
        return false
    }

    var isTimed: Bool {
        switch self {
        case .retrying, .parked: return true
        default: return false
        }
    }
}

/// Edges are pending until their source is resolved.
enum EdgeState: Sendable, Hashable {
    case pending, taken, skipped
}
