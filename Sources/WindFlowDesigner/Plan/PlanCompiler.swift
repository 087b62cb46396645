import Foundation
import WindFlowCore

/// Compiles a ``DesignPlan`` into a workflow: ids from names (or types), edges and branch labels from the block
/// structure, a `logic.merge` where parallel branches join, `{{ name.field }}` references resolved to node ids.
/// Every problem it finds is reported with the plan's own path (`steps[2].then[0].with.stack_id`), and so are the
/// validator's problems once mapped back (``planPath(of:)``).
public struct PlanCompiler: Sendable {
    public let registry: NodeRegistry

    public init(registry: NodeRegistry = .standard) {
        self.registry = registry
    }

    /// The compiled workflow, the problems found on the way, and where each node came from in the plan.
    public struct Output: Sendable {
        public var workflow: Workflow
        public var problems: [Problem]
        /// The fixes made on the way (a type written another way), as the proposal lists them.
        public var fixes: [String]
        /// Node id → the plan path of the step it came from.
        public var sources: [String: PlanSource]

        /// The plan path for a validator problem's path: `nodes[3].configuration.url` → `steps[1].with.url`.
        public func planPath(of problem: Problem) -> String {
            guard problem.path.hasPrefix("nodes["), let close = problem.path.firstIndex(of: "]"),
                let index = Int(problem.path[problem.path.index(problem.path.startIndex, offsetBy: 6)..<close]),
                workflow.nodes.indices.contains(index), let source = sources[workflow.nodes[index].id]
            else { return problem.path }
            var rest = String(problem.path[problem.path.index(after: close)...])
            if rest.hasPrefix(".configuration.") {
                rest.removeFirst(".configuration.".count)
                let key = String(rest.prefix { $0 != "." && $0 != "[" })
                let tail = String(rest.dropFirst(key.count))
                return source.path + "." + (source.keys[key] ?? "with.\(key)") + tail
            }
            return source.path
        }

        /// The problem as the plan sees it: its path rewritten, its node kept.
        public func planProblem(_ problem: Problem) -> Problem {
            var copy = problem
            copy.path = planPath(of: problem)
            return copy
        }
    }

    /// Where a node came from: the step's path, and how its configuration keys are written in the plan.
    public struct PlanSource: Sendable, Hashable {
        public var path: String
        /// Configuration key → the plan's key for it (a condition's `condition` is the block's `if`).
        public var keys: [String: String]
    }

    public func compile(_ plan: DesignPlan) -> Output {
        var builder = PlanGraphBuilder(registry: registry)
        let trigger = builder.action(plan.trigger, path: "trigger", from: [], isTrigger: true)
        builder.steps(plan.steps, path: "steps", from: trigger)
        builder.resolveReferences()
        let name = plan.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let workflow = Workflow(name: name, nodes: builder.nodes, edges: builder.edges)
        return Output(workflow: workflow, problems: builder.problems, fixes: builder.fixes, sources: builder.sources)
    }
}

/// The graph under construction: nodes and edges in the order the plan lists them.
struct PlanGraphBuilder {
    let registry: NodeRegistry
    var nodes: [WorkflowNode] = []
    var edges: [Edge] = []
    var problems: [Problem] = []
    var fixes: [String] = []
    var sources: [String: PlanCompiler.PlanSource] = [:]
    /// What the plan may call a node in `{{ … }}` → its id.
    private var aliases: [String: String] = [:]
    private var used: Set<String> = []

    /// Where the flow leaves a step: a node, and the output it leaves by.
    typealias Exit = (source: String, branch: String?)

    init(registry: NodeRegistry) {
        self.registry = registry
    }

    @discardableResult
    mutating func steps(_ steps: [PlanStep], path: String, from exits: [Exit]) -> [Exit] {
        var current = exits
        for (index, step) in steps.enumerated() { current = self.step(step, path: "\(path)[\(index)]", from: current) }
        return current
    }

    mutating func step(_ step: PlanStep, path: String, from exits: [Exit]) -> [Exit] {
        switch step {
        case .action(let action):
            return self.action(action, path: path, from: exits, isTrigger: false)
        case .condition(let name, let condition, let then, let otherwise):
            let id = add(name: name, fallback: "check", type: "logic.condition", configuration: ["condition": .string(condition)],
                         path: path, keys: ["condition": "if"], from: exits)
            let yes = then.isEmpty ? [(id, "true")] : steps(then, path: path + ".then", from: [(id, "true")])
            let no = otherwise.isEmpty ? [(id, "false")] : steps(otherwise, path: path + ".else", from: [(id, "false")])
            return yes + no
        case .choice(let name, let value, let cases, let otherwise):
            var names: Set<String> = ["default"]
            var written: [JSONValue] = []
            var labels: [String] = []
            for (index, item) in cases.enumerated() {
                var label = item.name ?? Validator.normalizedID(item.when.map(PlanReader.text) ?? "case_\(index + 1)")
                if label == "node" || names.contains(label) { label = "case_\(index + 1)" }
                names.insert(label)
                labels.append(label)
                var entry: [String: JSONValue] = ["name": .string(label)]
                if let when = item.when { entry["equals"] = when }
                if let condition = item.condition { entry["condition"] = .string(condition) }
                written.append(.object(entry))
            }
            var configuration: [String: JSONValue] = ["cases": .array(written)]
            if let value { configuration["value"] = .string(value) }
            let id = add(name: name, fallback: "route", type: "logic.switch", configuration: configuration, path: path,
                         keys: ["value": "switch", "cases": "cases"], from: exits)
            var out: [Exit] = []
            for (index, item) in cases.enumerated() {
                out += item.steps.isEmpty ? [(id, labels[index])] : steps(item.steps, path: "\(path).cases[\(index)].steps", from: [(id, labels[index])])
            }
            out += otherwise.isEmpty ? [(id, "default")] : steps(otherwise, path: path + ".default", from: [(id, "default")])
            return out
        case .forEach(let name, let items, let parallel, let body, let options):
            var configuration: [String: JSONValue] = options
            configuration["items"] = items
            if parallel { configuration["mode"] = "parallel" }
            let id = add(name: name, fallback: "each", type: "logic.loop", configuration: configuration, path: path,
                         keys: ["items": "for_each", "mode": "in_parallel"], from: exits)
            if body.isEmpty {
                problems.append(Problem(.missingField, path: path + ".do", message: "the for_each block has no steps to repeat",
                                        suggestion: "list the steps to run per item in \"do\"", nodeID: id))
            }
            steps(body, path: path + ".do", from: [(id, "loop")])
            return [(id, "done")]
        case .parallel(let name, let branches, let join):
            var arrivals: [Exit] = []
            for (index, branch) in branches.enumerated() {
                arrivals += steps(branch, path: "\(path).parallel[\(index)]", from: exits)
            }
            let id = add(name: name, fallback: "join", type: "logic.merge", configuration: ["mode": .string(join == .first ? "first" : "wait_all")],
                         path: path, keys: ["mode": "join"], from: arrivals)
            return [(id, nil)]
        case .wait(let name, let duration):
            // A time or an expression is a wait until; anything else a duration.
            let text = duration.stringValue ?? ""
            let isUntil = text.contains("{{") || (text.count >= 10 && text.contains("-") && text.first?.isNumber == true)
            let id = add(name: name, fallback: "wait", type: "logic.wait", configuration: [isUntil ? "until" : "duration": duration],
                         path: path, keys: ["duration": "wait", "until": "wait"], from: exits)
            return [(id, nil)]
        case .stop(let name, let failed, let message):
            var configuration: [String: JSONValue] = failed ? ["status": "failed"] : [:]
            if let message { configuration["message"] = .string(message) }
            add(name: name, fallback: failed ? "fail" : "finish", type: "logic.stop", configuration: configuration, path: path,
                keys: ["status": "stop", "message": "message"], from: exits)
            return []
        }
    }

    /// An action step (or the trigger): its type checked against the registry, its error handling as edges.
    mutating func action(_ action: PlanAction, path: String, from exits: [Exit], isTrigger: Bool) -> [Exit] {
        var type = action.type
        if registry.type(type) == nil {
            if let resolved = AutoFixer(registry: registry).resolveType(type), resolved.hasPrefix("trigger.") == isTrigger {
                fixes.append("\(path): type '\(type)' → '\(resolved)'")
                type = resolved
            } else {
                let suggestion = registry.closestType(to: type).map { "did you mean '\($0)'?" }
                problems.append(Problem(.unknownNodeType, path: path + ".type", message: "'\(type)' is not a node type", suggestion: suggestion))
            }
        }
        if isTrigger != type.hasPrefix("trigger.") {
            let message = isTrigger ? "the trigger must be a trigger.* type, not '\(type)'" : "'\(type)' is a trigger; a plan has one trigger, in \"trigger\""
            problems.append(Problem(.invalidFieldType, path: path + ".type", message: message,
                                    suggestion: isTrigger ? "use trigger.manual, trigger.schedule, trigger.webhook, trigger.event or trigger.file" : "move it to \"trigger\", or remove it"))
        }
        let fallback = isTrigger ? "trigger" : String(type.split(separator: ".").last ?? "step")
        let id = add(name: isTrigger ? nil : action.name, fallback: fallback, type: type, configuration: action.with, path: path, keys: [:], from: exits)
        if let index = nodes.firstIndex(where: { $0.id == id }) {
            nodes[index].retryCount = max(0, min(action.retry ?? 0, 10))
            nodes[index].timeout = action.timeout
            switch action.onError {
            case .continue: nodes[index].errorHandling = .continue
            case .steps(let handler):
                nodes[index].errorHandling = .branch
                steps(handler, path: path + ".on_error", from: [(id, "error")])
            case nil: break
            }
        }
        // The type's short name reads the first node of that type, when the plan did not name it otherwise.
        if aliases[fallback] == nil { aliases[fallback] = id }
        return [(id, nil)]
    }

    /// Adds a node after `exits` and returns its id.
    @discardableResult
    private mutating func add(name: String?, fallback: String, type: String, configuration: [String: JSONValue], path: String,
                              keys: [String: String], from exits: [Exit]) -> String {
        let id = allocate(name ?? fallback)
        if let name, !name.isEmpty {
            aliases[name] = id
            aliases[Validator.normalizedID(name)] = id
        }
        var node = WorkflowNode(id: id, type: type, configuration: configuration)
        if let name, Validator.normalizedID(name) != name { node.name = name }
        nodes.append(node)
        sources[id] = PlanCompiler.PlanSource(path: path, keys: keys)
        for exit in exits { edges.append(Edge(source: exit.source, target: id, branch: exit.branch)) }
        return id
    }

    private mutating func allocate(_ wanted: String) -> String {
        var base = Validator.isValidID(wanted) ? wanted : Validator.normalizedID(wanted)
        if Validator.reservedIDs.contains(base) || (base == "trigger" && !nodes.isEmpty) { base += "_step" }
        var id = base
        var suffix = 2
        while used.contains(id) {
            id = "\(base)_\(suffix)"
            suffix += 1
        }
        used.insert(id)
        return id
    }

    /// `{{ name.field }}` → `{{ id.field }}` where the plan's name and the node's id differ.
    mutating func resolveReferences() {
        let renames = aliases.filter { $0.key != $0.value && !used.contains($0.key) }
        guard !renames.isEmpty else { return }
        for index in nodes.indices {
            for (old, new) in renames.sorted(by: { $0.key.count > $1.key.count }) {
                nodes[index].configuration = nodes[index].configuration.mapValues { AutoFixer.renameReferences($0, from: old, to: new) }
            }
        }
    }
}
