import WindFlowCore

/// Workflow → plan, for any graph the plan form can express: one trigger, then chains, conditions and switches
/// whose branches end or meet again, loops whose body ends or goes back to the loop, fan-outs that join at a
/// `logic.merge`, and error branches. Steps are named after the node ids, so compiling the plan again gives back
/// the same ids. Anything else (a second trigger, branches that meet somewhere other than where the block ends,
/// a node reached twice) gives nil: the designer then works on the whole graph.
public struct PlanDecompiler {
    let workflow: Workflow
    let registry: NodeRegistry
    private var outgoing: [String: [Edge]] = [:]
    private var incoming: [String: [Edge]] = [:]
    private var visited: Set<String> = []
    private var failed = false

    /// The plan for `workflow`, or nil when the plan form cannot express it.
    public static func plan(_ workflow: Workflow, registry: NodeRegistry = .standard) -> DesignPlan? {
        var decompiler = PlanDecompiler(workflow: workflow, registry: registry)
        return decompiler.run()
    }

    private init(workflow: Workflow, registry: NodeRegistry) {
        self.workflow = workflow
        self.registry = registry
        for edge in workflow.edges {
            outgoing[edge.source, default: []].append(edge)
            incoming[edge.target, default: []].append(edge)
        }
    }

    private mutating func run() -> DesignPlan? {
        let triggers = workflow.nodes.filter { registry.type($0.type)?.isTrigger ?? $0.type.hasPrefix("trigger.") }
        guard triggers.count == 1, let trigger = triggers.first else { return nil }
        visited.insert(trigger.id)
        let targets = main(trigger.id)
        let steps = fanOut(targets, until: nil)
        guard !failed, visited.count == workflow.nodes.count else { return nil }
        return DesignPlan(name: workflow.name, trigger: PlanAction(type: trigger.type, with: trigger.configuration), steps: steps)
    }

    /// The steps from `targets` (one or several starts after the same node) up to `stop`.
    private mutating func fanOut(_ targets: [String], until stop: String?) -> [PlanStep] {
        if targets.count <= 1 { return sequence(from: targets.first, until: stop) }
        // Several branches from one node: they must meet at a merge.
        guard let join = meeting(of: targets), let merge = workflow.node(join), merge.type == "logic.merge" else {
            failed = true
            return []
        }
        let branches = targets.map { sequence(from: $0, until: join) }
        visited.insert(join)
        let step = PlanStep.parallel(name: join, branches: branches, join: merge.configuration["mode"]?.stringValue == "first" ? .first : .all)
        return [step] + fanOut(main(join), until: stop)
    }

    /// A chain of steps from `start` up to (not including) `stop`.
    private mutating func sequence(from start: String?, until stop: String?) -> [PlanStep] {
        var steps: [PlanStep] = []
        var current = start
        while let id = current, id != stop, !failed {
            guard let node = workflow.node(id), visited.insert(id).inserted else {
                // A node reached twice: branches that meet where no block ends.
                failed = true
                return steps
            }
            let (step, next) = self.step(node, until: stop)
            steps.append(step)
            if next.count > 1 {
                return steps + fanOut(next, until: stop)
            }
            current = next.first
        }
        return steps
    }

    /// The step for `node`, and where the flow goes after it.
    private mutating func step(_ node: WorkflowNode, until stop: String?) -> (PlanStep, [String]) {
        switch node.type {
        case "logic.condition":
            let yes = targets(node.id, branch: "true"), no = targets(node.id, branch: "false")
            let join = meeting(of: yes + no, excluding: stop)
            let step = PlanStep.condition(name: node.id, condition: node.configuration["condition"]?.stringValue ?? "",
                                          then: fanOut(yes, until: join ?? stop), otherwise: fanOut(no, until: join ?? stop))
            return (step, join.map { [$0] } ?? [])
        case "logic.switch":
            let cases = node.configuration["cases"]?.arrayValue ?? []
            let names = cases.map { $0["name"]?.stringValue ?? "" }
            let all = names.flatMap { targets(node.id, branch: $0) } + targets(node.id, branch: "default")
            let join = meeting(of: all, excluding: stop)
            var planCases: [PlanCase] = []
            for (index, item) in cases.enumerated() {
                let derived = item["equals"].map { Validator.normalizedID(PlanReader.text($0)) }
                planCases.append(PlanCase(when: item["equals"], condition: item["condition"]?.stringValue,
                                          steps: fanOut(targets(node.id, branch: names[index]), until: join ?? stop),
                                          name: names[index] == derived ? nil : names[index]))
            }
            let step = PlanStep.choice(name: node.id, value: node.configuration["value"].map(PlanReader.text), cases: planCases,
                                       otherwise: fanOut(targets(node.id, branch: "default"), until: join ?? stop))
            return (step, join.map { [$0] } ?? [])
        case "logic.loop":
            // The body ends, or goes back to the loop: both are the end of one iteration.
            let body = fanOut(targets(node.id, branch: "loop"), until: node.id)
            var options = node.configuration
            for key in ["items", "mode"] { options[key] = nil }
            let step = PlanStep.forEach(name: node.id, items: node.configuration["items"] ?? .null,
                                        parallel: node.configuration["mode"]?.stringValue == "parallel", body: body, options: options)
            return (step, targets(node.id, branch: "done"))
        case "logic.wait":
            return (.wait(name: node.id, duration: node.configuration["duration"] ?? node.configuration["until"] ?? .null), main(node.id))
        case "logic.stop":
            return (.stop(name: node.id, failed: node.configuration["status"]?.stringValue == "failed",
                          message: node.configuration["message"]?.stringValue), [])
        case "logic.merge":
            failed = true  // a merge not at the end of a fan-out
            return (.stop(name: node.id, failed: false, message: nil), [])
        default:
            var action = PlanAction(type: node.type, name: node.id, with: node.configuration, retry: node.retryCount > 0 ? node.retryCount : nil,
                                    timeout: node.timeout)
            switch node.errorHandling {
            case .continue: action.onError = .continue
            case .branch: action.onError = .steps(fanOut(targets(node.id, branch: "error"), until: stop))
            case .stop: break
            }
            // A disabled node has no plan form (the retry policy and notes an edit keeps from the workflow itself).
            if node.disabled { failed = true }
            return (.action(action), main(node.id))
        }
    }

    private func main(_ id: String) -> [String] { targets(id, branch: nil) }

    private func targets(_ id: String, branch: String?) -> [String] {
        (outgoing[id] ?? []).filter { $0.branch == branch }.map(\.target)
    }

    /// The first node every branch from `starts` reaches, walking forward (not through `excluding`): where they meet.
    private func meeting(of starts: [String], excluding stop: String? = nil) -> String? {
        guard starts.count > 1 else { return nil }
        let reach = starts.map { reachable(from: $0, stop: stop) }
        // In the order the first branch reaches them, the first that all the others reach too.
        return reach[0].order.first { node in reach.dropFirst().allSatisfy { $0.set.contains(node) } }
    }

    private func reachable(from start: String, stop: String?) -> (order: [String], set: Set<String>) {
        var order: [String] = []
        var seen: Set<String> = []
        var queue = [start]
        while !queue.isEmpty {
            let id = queue.removeFirst()
            guard id != stop, seen.insert(id).inserted else { continue }
            order.append(id)
            // Loops: the body is inside the loop's step; the flow goes on at done.
            let edges = (outgoing[id] ?? []).filter { workflow.node(id)?.type != "logic.loop" || $0.branch == "done" }
            queue += edges.map(\.target)
        }
        return (order, seen)
    }
}
