import WindFlowCore

/// The draft a small model is shown, and what was left out of it. A draft is copied token by token and its copy is
/// most of what the model writes (≈ 20 tokens a second here), so the draft is shown without what the model may leave
/// as it is, and that is put back afterwards on the steps the model kept:
/// - values equal to their parameter's default, and optional parameters that have a default (a deploy's
///   `health_timeout`, a query's `max_rows`); parameters a requirement hangs on (`authentication`) and one-of groups
///   stay;
/// - credentials written the way the registry shows them (`slack_webhook_url: "{{ secrets.SLACK_WEBHOOK_URL }}"`):
///   put back on kept steps, and on every message the answer sends to Slack, Discord or Teams without saying where,
///   so a step the model adds gets them too;
/// - node timeouts and retries;
/// - long texts (a template's messages, scripts and queries), shown by their first words and `…`: an answer that
///   keeps such a text as shown gets the whole text back; one that rewrites it keeps its own.
public struct DraftBrief: Sendable {
    /// The draft as the offline planner made it.
    public let draft: DesignPlan
    /// The draft as the model is shown it.
    public let shown: DesignPlan
    /// Shortened text → the whole text.
    public let texts: [String: String]

    /// Texts longer than this are shortened.
    static let longText = 60

    public init(_ draft: DesignPlan, registry: NodeRegistry) {
        self.draft = draft
        var shortened: [String: String] = [:]
        var clashes: Set<String> = []
        for step in draft.steps {
            step.forEachAction { action in
                for case .string(let text) in action.with.values where text.count > Self.longText {
                    let short = Self.shortened(text)
                    if let other = shortened[short], other != text { clashes.insert(short) }
                    shortened[short] = text
                }
            }
        }
        let texts = shortened.filter { !clashes.contains($0.key) }
        let byText = Dictionary(texts.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        self.texts = texts
        var shown = draft
        shown.trigger = Self.brief(draft.trigger, registry: registry, byText: [:])
        shown.steps = draft.steps.map { $0.mappingActions { Self.brief($0, registry: registry, byText: byText) } }
        self.shown = shown
    }

    /// `plan` (the model's answer), with what the draft showed shortened or not at all put back: whole texts wherever
    /// the answer kept a shortened one, and the left-out parameters, timeout and retry on each action that keeps a
    /// draft action's name and type and does not set them itself. The model never saw them, so it cannot have meant
    /// to drop them.
    public func restore(_ plan: DesignPlan, registry: NodeRegistry) -> DesignPlan {
        var byName: [String: PlanAction] = [:]
        for step in draft.steps {
            step.forEachAction { action in if let name = action.name { byName[name] = action } }
        }
        var plan = plan
        if plan.trigger.type == draft.trigger.type { plan.trigger = Self.restore(plan.trigger, from: draft.trigger, registry: registry) }
        plan.steps = plan.steps.map { step in
            step.mappingActions { action in
                var action = action
                for (name, value) in action.with {
                    if case .string(let text) = value, let whole = texts[text] { action.with[name] = .string(whole) }
                }
                if action.type == "integration.notification" { OfflinePlanner.addUsualChannelSecrets(&action.with, registry: registry) }
                guard let name = action.name, let original = byName[name], original.type == action.type else { return action }
                return Self.restore(action, from: original, registry: registry)
            }
        }
        return plan
    }

    /// The first words of `text`, up to ≈ 40 characters of its first line, cut before an expression rather than in
    /// it, and `…`.
    static func shortened(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        var kept = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            let next = kept.isEmpty ? String(word) : kept + " " + word
            if next.count > 40, !kept.isEmpty { break }
            kept = next
        }
        // An expression left open by the cut goes: the model would copy a broken `{{`.
        if let open = kept.range(of: "{{", options: .backwards), kept[open.upperBound...].range(of: "}}") == nil {
            kept = String(kept[..<open.lowerBound])
        }
        return kept.trimmingCharacters(in: .whitespaces) + "…"
    }

    private static func brief(_ action: PlanAction, registry: NodeRegistry, byText: [String: String]) -> PlanAction {
        var action = action
        action.timeout = nil
        action.retry = nil
        guard let type = registry.type(action.type) else { return action }
        action.with = action.with.filter { name, value in !isDetail(name, value, of: type) }
        for (name, value) in action.with {
            if case .string(let text) = value, let short = byText[text] { action.with[name] = .string(short) }
        }
        return action
    }

    private static func restore(_ action: PlanAction, from original: PlanAction, registry: NodeRegistry) -> PlanAction {
        guard let type = registry.type(action.type) else { return action }
        var action = action
        if action.timeout == nil { action.timeout = original.timeout }
        if action.retry == nil { action.retry = original.retry }
        for (name, value) in original.with where action.with[name] == nil && isDetail(name, value, of: type) {
            action.with[name] = value
        }
        return action
    }

    /// Whether a parameter is one the draft does not show: its default, an optional parameter with a default that no
    /// requirement hangs on, or an optional credential written as the registry shows it.
    static func isDetail(_ name: String, _ value: JSONValue, of type: NodeType) -> Bool {
        guard let parameter = type.parameter(name), !parameter.required else { return false }
        if parameter.isSecret, let usual = parameter.example, value == usual { return true }
        guard let defaultValue = parameter.defaultValue else { return false }
        if value == defaultValue { return true }
        if type.requiresOneOf.contains(where: { $0.contains(name) }) { return false }
        if type.requiredWhen.contains(where: { $0.parameter == name || $0.required.contains(name) }) { return false }
        return true
    }
}

extension PlanStep {
    /// The step with `transform` applied to every action in it, blocks' branches and error steps included.
    func mappingActions(_ transform: (PlanAction) -> PlanAction) -> PlanStep {
        func all(_ steps: [PlanStep]) -> [PlanStep] { steps.map { $0.mappingActions(transform) } }
        switch self {
        case .action(let action):
            var changed = transform(action)
            if case .steps(let handler) = changed.onError { changed.onError = .steps(all(handler)) }
            return .action(changed)
        case .condition(let name, let condition, let then, let otherwise):
            return .condition(name: name, condition: condition, then: all(then), otherwise: all(otherwise))
        case .choice(let name, let value, let cases, let otherwise):
            return .choice(name: name, value: value, cases: cases.map { var copy = $0; copy.steps = all($0.steps); return copy }, otherwise: all(otherwise))
        case .forEach(let name, let items, let parallel, let body, let options):
            return .forEach(name: name, items: items, parallel: parallel, body: all(body), options: options)
        case .parallel(let name, let branches, let join):
            return .parallel(name: name, branches: branches.map(all), join: join)
        case .wait, .stop:
            return self
        }
    }

    /// Calls `body` with every action in the step, blocks' branches and error steps included.
    func forEachAction(_ body: (PlanAction) -> Void) {
        _ = mappingActions { body($0); return $0 }
    }
}
