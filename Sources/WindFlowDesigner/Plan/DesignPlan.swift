import WindFlowCore

/// A design plan: what a model writes instead of a graph. A trigger and a list of steps, each an action or a block
/// (`if`, `switch`, `for_each`, `parallel`, `wait`, `stop`); no ids, no edges, no branch labels — the compiler
/// derives them from the structure. A step's `name` is a short snake_case label that later steps read as
/// `{{ name.field }}`. See docs/DESIGNER.md for the format.
public struct DesignPlan: Sendable, Hashable {
    public var name: String
    public var trigger: PlanAction
    public var steps: [PlanStep]
    /// What the model chose that the request did not say.
    public var assumptions: [String]

    public init(name: String, trigger: PlanAction, steps: [PlanStep], assumptions: [String] = []) {
        self.name = name
        self.trigger = trigger
        self.steps = steps
        self.assumptions = assumptions
    }
}

/// One node of the registry with its parameters: `{"type": "integration.http", "name": "fetch", "with": {…}}`.
public struct PlanAction: Sendable, Hashable {
    public var type: String
    public var name: String?
    public var with: [String: JSONValue]
    /// Attempts after the first when it fails (the node's `retry_count`).
    public var retry: Int?
    public var onError: PlanErrorHandling?
    /// A node the plan cannot otherwise say (its timeout, its notes): kept through an edit of the plan.
    public var timeout: Double?

    public init(type: String, name: String? = nil, with: [String: JSONValue] = [:], retry: Int? = nil,
                onError: PlanErrorHandling? = nil, timeout: Double? = nil) {
        self.type = type
        self.name = name
        self.with = with
        self.retry = retry
        self.onError = onError
        self.timeout = timeout
    }
}

/// What happens when an action fails after its retries.
public enum PlanErrorHandling: Sendable, Hashable {
    /// The run goes on with the next step (the failure is recorded).
    case `continue`
    /// These steps run instead (the node's error branch); the run ends after them.
    case steps([PlanStep])
}

/// A step of a plan.
public indirect enum PlanStep: Sendable, Hashable {
    case action(PlanAction)
    /// `{"if": "{{ … }}", "then": [...], "else": [...]}`
    case condition(name: String?, condition: String, then: [PlanStep], otherwise: [PlanStep])
    /// `{"switch": "{{ … }}", "cases": [{"when": "production", "steps": [...]}], "default": [...]}`
    case choice(name: String?, value: String?, cases: [PlanCase], otherwise: [PlanStep])
    /// `{"for_each": "{{ … }}", "in_parallel": false, "do": [...]}`, with the loop's other parameters in `with`
    /// (`max_items`, `max_parallel`) when they are not the defaults.
    case forEach(name: String?, items: JSONValue, parallel: Bool, body: [PlanStep], options: [String: JSONValue] = [:])
    /// `{"parallel": [[...], [...]], "join": "all"}`
    case parallel(name: String?, branches: [[PlanStep]], join: PlanJoin)
    /// `{"wait": "5m"}` or `{"wait": "{{ trigger.release_at }}"}` (a time).
    case wait(name: String?, duration: JSONValue)
    /// `{"stop": "failed", "message": "…"}`
    case stop(name: String?, failed: Bool, message: String?)

    /// The label the step was given, if any.
    public var name: String? {
        switch self {
        case .action(let action): return action.name
        case .condition(let name, _, _, _), .choice(let name, _, _, _), .forEach(let name, _, _, _, _), .parallel(let name, _, _),
            .wait(let name, _), .stop(let name, _, _):
            return name
        }
    }
}

extension PlanStep {
    /// The steps right inside this one: a block's branches, cases and body, an action's error steps.
    public var innerSteps: [PlanStep] {
        switch self {
        case .action(let action):
            if case .steps(let handler) = action.onError { return handler }
            return []
        case .condition(_, _, let then, let otherwise): return then + otherwise
        case .choice(_, _, let cases, let otherwise): return cases.flatMap(\.steps) + otherwise
        case .forEach(_, _, _, let body, _): return body
        case .parallel(_, let branches, _): return branches.flatMap { $0 }
        case .wait, .stop: return []
        }
    }
}

/// One case of a `switch`: taken when the value equals `when` (or when `condition` holds).
public struct PlanCase: Sendable, Hashable {
    public var when: JSONValue?
    public var condition: String?
    public var steps: [PlanStep]
    /// The output's name when it is not derived from `when` (kept from an existing workflow).
    public var name: String?

    public init(when: JSONValue? = nil, condition: String? = nil, steps: [PlanStep], name: String? = nil) {
        self.when = when
        self.condition = condition
        self.steps = steps
        self.name = name
    }
}

/// How a `parallel` block continues: once every branch is done, or as soon as the first is.
public enum PlanJoin: String, Sendable, Hashable {
    case all, first
}

extension DesignPlan {
    /// The order keys are written in, for people and for grammar-constrained models alike: what a step is before
    /// what it holds, a block's test before its branches, the trigger before the steps.
    public static let keyOrder = [
        "type", "if", "switch", "for_each", "parallel", "wait", "stop", "name", "with", "then", "else", "cases", "when",
        "condition", "trigger", "steps", "default", "in_parallel", "do", "join", "message", "retry", "on_error", "timeout",
        "assumptions",
    ]

    /// The action types the plan uses, in the order it first uses them (error steps and every branch included).
    public var actionTypes: [String] {
        var types: [String] = []
        forEachStep { step in
            if case .action(let action) = step, !types.contains(action.type) { types.append(action.type) }
        }
        return types
    }

    /// Calls `body` with every step of the plan, each before the steps inside it (branches and error steps included).
    public func forEachStep(_ body: (PlanStep) -> Void) {
        func walk(_ steps: [PlanStep]) {
            for step in steps {
                body(step)
                walk(step.innerSteps)
            }
        }
        walk(steps)
    }

    /// The plan as compact JSON in ``keyOrder``.
    public var jsonText: String { jsonValue.jsonText(keysFirst: Self.keyOrder) }
}
