import WindFlowCore

extension DesignPlan {
    /// At most this many steps in a plan (all levels), and this many levels of blocks: a plan is what a person
    /// reads, and a model that loops must get a clear error, not a graph of ten thousand nodes.
    public static let maxSteps = 200
    public static let maxDepth = 6

    /// Reads a plan from the JSON a model wrote, tolerantly: parameters written beside `type` instead of in `with`
    /// are moved there, `on_error` and `wait` take their usual spellings. What cannot be read is reported with its
    /// path in the plan (`steps[2].then[0].with`), and the plan read so far is still returned when there is one.
    public static func read(_ value: JSONValue) -> (plan: DesignPlan?, problems: [Problem]) {
        var reader = PlanReader()
        let plan = reader.plan(value)
        return (plan, reader.problems)
    }

    /// The plan as JSON, in the format a model writes.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["name": .string(name), "trigger": trigger.jsonValue, "steps": .array(steps.map(\.jsonValue))]
        if !assumptions.isEmpty { object["assumptions"] = .array(assumptions.map(JSONValue.string)) }
        return .object(object)
    }
}

extension PlanAction {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["type": .string(type), "with": .object(with)]
        if let name { object["name"] = .string(name) }
        if let retry, retry > 0 { object["retry"] = .int(retry) }
        if let timeout { object["timeout"] = .double(timeout) }
        switch onError {
        case .continue: object["on_error"] = "continue"
        case .steps(let steps): object["on_error"] = .array(steps.map(\.jsonValue))
        case nil: break
        }
        return .object(object)
    }
}

extension PlanStep {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue]
        switch self {
        case .action(let action): return action.jsonValue
        case .condition(_, let condition, let then, let otherwise):
            object = ["if": .string(condition), "then": .array(then.map(\.jsonValue))]
            if !otherwise.isEmpty { object["else"] = .array(otherwise.map(\.jsonValue)) }
        case .choice(_, let value, let cases, let otherwise):
            object = ["switch": value.map(JSONValue.string) ?? .null, "cases": .array(cases.map { item in
                var entry: [String: JSONValue] = ["steps": .array(item.steps.map(\.jsonValue))]
                if let when = item.when { entry["when"] = when }
                if let condition = item.condition { entry["condition"] = .string(condition) }
                if let name = item.name { entry["name"] = .string(name) }
                return .object(entry)
            })]
            if !otherwise.isEmpty { object["default"] = .array(otherwise.map(\.jsonValue)) }
        case .forEach(_, let items, let parallel, let body, let options):
            object = ["for_each": items, "do": .array(body.map(\.jsonValue))]
            if parallel { object["in_parallel"] = true }
            if !options.isEmpty { object["with"] = .object(options) }
        case .parallel(_, let branches, let join):
            object = ["parallel": .array(branches.map { .array($0.map(\.jsonValue)) })]
            if join != .all { object["join"] = .string(join.rawValue) }
        case .wait(_, let duration):
            object = ["wait": duration]
        case .stop(_, let failed, let message):
            object = ["stop": failed ? "failed" : "succeeded"]
            if let message { object["message"] = .string(message) }
        }
        if let name { object["name"] = .string(name) }
        return .object(object)
    }
}

/// Reads plan JSON, collecting problems with their plan paths.
struct PlanReader {
    var problems: [Problem] = []
    private var count = 0

    mutating func plan(_ value: JSONValue) -> DesignPlan? {
        guard case .object(var object) = value else {
            report(.invalidFieldType, "", "the plan is not a JSON object", "reply with {\"name\": …, \"trigger\": {…}, \"steps\": [...]}")
            return nil
        }
        // A plan wrapped as {"plan": {...}} (or in "workflow") is read as the plan inside.
        for wrapper in ["plan", "workflow"] where object["trigger"] == nil {
            if case .object(let inner)? = object[wrapper], inner["trigger"] != nil || inner["steps"] != nil { object = inner }
        }
        guard let triggerValue = object["trigger"] else {
            report(.missingField, "trigger", "the plan has no trigger", "add \"trigger\": {\"type\": \"trigger.manual\", \"with\": {}}")
            return nil
        }
        let trigger: PlanAction
        if let type = triggerValue.stringValue {
            trigger = PlanAction(type: type)
        } else if let action = self.action(triggerValue, path: "trigger") {
            trigger = action
        } else {
            return nil
        }
        let steps = self.steps(object["steps"] ?? .array([]), path: "steps", depth: 0)
        let assumptions = object["assumptions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return DesignPlan(name: object["name"]?.stringValue ?? "", trigger: trigger, steps: steps, assumptions: assumptions)
    }

    mutating func steps(_ value: JSONValue, path: String, depth: Int) -> [PlanStep] {
        guard depth < DesignPlan.maxDepth else {
            report(.invalidFieldType, path, "blocks are nested more than \(DesignPlan.maxDepth) levels deep", "flatten the plan")
            return []
        }
        let items: [JSONValue]
        switch value {
        case .array(let elements): items = elements
        case .object: items = [value]  // one step written without its list
        case .null: items = []
        default:
            report(.invalidFieldType, path, "steps must be a list of step objects", nil)
            return []
        }
        var steps: [PlanStep] = []
        for (index, item) in items.enumerated() {
            count += 1
            guard count <= DesignPlan.maxSteps else {
                report(.invalidFieldType, path, "the plan has more than \(DesignPlan.maxSteps) steps", "a workflow is what a person reads: keep it under \(DesignPlan.maxSteps) steps")
                return steps
            }
            if let step = step(item, path: "\(path)[\(index)]", depth: depth) { steps.append(step) }
        }
        return steps
    }

    mutating func step(_ value: JSONValue, path: String, depth: Int) -> PlanStep? {
        guard case .object(let object) = value else {
            report(.invalidFieldType, path, "a step must be an object", "write {\"type\": \"…\", \"name\": \"…\", \"with\": {…}} or a block such as {\"if\": …}")
            return nil
        }
        let name = object["name"]?.stringValue
        if object["type"] != nil { return action(value, path: path).map(PlanStep.action) }
        if let condition = object["if"] {
            return .condition(name: name, condition: Self.text(condition),
                              then: steps(object["then"] ?? .array([]), path: path + ".then", depth: depth + 1),
                              otherwise: steps(object["else"] ?? .array([]), path: path + ".else", depth: depth + 1))
        }
        if let value = object["switch"] {
            var cases: [PlanCase] = []
            for (index, item) in (object["cases"]?.arrayValue ?? []).enumerated() {
                let casePath = "\(path).cases[\(index)]"
                guard case .object(let entry) = item else {
                    report(.invalidFieldType, casePath, "a case must be an object {\"when\": …, \"steps\": [...]}", nil)
                    continue
                }
                cases.append(PlanCase(when: entry["when"] ?? entry["equals"], condition: entry["condition"]?.stringValue,
                                      steps: steps(entry["steps"] ?? entry["do"] ?? .array([]), path: casePath + ".steps", depth: depth + 1),
                                      name: entry["name"]?.stringValue))
            }
            if cases.isEmpty { report(.missingField, path + ".cases", "a switch needs at least one case", "add \"cases\": [{\"when\": \"…\", \"steps\": [...]}]") }
            return .choice(name: name, value: value.isNull ? nil : Self.text(value), cases: cases,
                           otherwise: steps(object["default"] ?? .array([]), path: path + ".default", depth: depth + 1))
        }
        if let items = object["for_each"] {
            let parallel = object["in_parallel"]?.boolValue ?? (object["mode"]?.stringValue == "parallel")
            return .forEach(name: name, items: items, parallel: parallel,
                            body: steps(object["do"] ?? object["steps"] ?? .array([]), path: path + ".do", depth: depth + 1),
                            options: (object["with"]?.objectValue ?? [:]).filter { !$0.value.isNull })
        }
        if let branches = object["parallel"] {
            var read: [[PlanStep]] = []
            for (index, branch) in (branches.arrayValue ?? []).enumerated() {
                // A branch is a list of steps, or a single step object.
                read.append(steps(branch, path: "\(path).parallel[\(index)]", depth: depth + 1))
            }
            if read.count < 2 { report(.missingField, path + ".parallel", "a parallel block needs at least two branches", "list them: \"parallel\": [[…], […]]") }
            let join = PlanJoin(rawValue: object["join"]?.stringValue ?? "all") ?? .all
            return .parallel(name: name, branches: read, join: join)
        }
        if let duration = object["wait"] { return .wait(name: name, duration: duration) }
        if let stop = object["stop"] {
            let failed = stop.stringValue.map { ["failed", "failure", "fail", "error"].contains($0.lowercased()) } ?? (stop.boolValue == false)
            return .stop(name: name, failed: failed, message: object["message"]?.stringValue)
        }
        report(.missingField, path, "the step has no type and is not a block",
               "give it \"type\" (a node type) or make it one of if, switch, for_each, parallel, wait, stop")
        return nil
    }

    mutating func action(_ value: JSONValue, path: String) -> PlanAction? {
        guard case .object(let object) = value, let type = object["type"]?.stringValue, !type.isEmpty else {
            report(.missingField, path + ".type", "the step has no type", "give it \"type\": one of the node types listed")
            return nil
        }
        var with = (object["with"]?.objectValue ?? object["configuration"]?.objectValue ?? object["parameters"]?.objectValue ?? [:])
            .filter { !$0.value.isNull }
        // Parameters written beside `type` belong in `with`.
        let known: Set<String> = ["type", "name", "with", "configuration", "parameters", "retry", "on_error", "timeout", "id", "description"]
        for (key, member) in object where !known.contains(key) && with[key] == nil && !member.isNull { with[key] = member }
        var action = PlanAction(type: type, name: object["name"]?.stringValue ?? object["id"]?.stringValue, with: with)
        action.retry = object["retry"]?.intValue
        action.timeout = object["timeout"]?.doubleValue
        switch object["on_error"] {
        case .string(let text) where ["continue", "ignore", "skip"].contains(text.lowercased()): action.onError = .continue
        case .string, .null, nil: break
        case .array, .object:
            let handler = object["on_error"]!
            let inner = handler.objectValue.map { $0["steps"] ?? $0["do"] ?? handler } ?? handler
            if let retry = handler.objectValue?["retry"]?.intValue { action.retry = retry }
            let steps = self.steps(inner, path: path + ".on_error", depth: 1)
            if !steps.isEmpty { action.onError = .steps(steps) }
        default: break
        }
        return action
    }

    private mutating func report(_ code: ProblemCode, _ path: String, _ message: String, _ suggestion: String?) {
        problems.append(Problem(code, path: path, message: message, suggestion: suggestion))
    }

    /// A condition or value written as text; a bare number or boolean is written as it reads.
    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.renderedText
    }
}
