import Foundation
import WindFlowCore

/// The reference fixes made before anything goes back to a model, where the intent is certain or well guessed:
/// a misspelled field or step name (`{{ fetch.stauts }}` → `status`), a step read by a near name, label or type
/// (`{{ health.summary }}` → `{{ health_check.summary }}`), an output read bare (`{{ summary }}` → the earlier step
/// that has it), a field the step does not declare → its nearest declared one (`cpu` → `cpu_usage`), the trigger's
/// input read by its name (`{{ stack_id }}` on a manual trigger → `{{ trigger.stack_id }}`), a `{{` left open. A
/// reference in free text (a message, a subject) that cannot be resolved becomes plain text, and the proposal says so
/// in its assumptions; elsewhere it goes back to the model.
enum ReferenceRepair {
    /// What the repair did: the workflow, each fix in words, and what it had to assume.
    struct Outcome: Sendable {
        var workflow: Workflow
        var fixes: [String] = []
        var assumptions: [String] = []
        /// What the model should be told: steps the plan reads but does not have.
        var hints: [String] = []
    }

    /// The codes this repair works on.
    static let codes: Set<ProblemCode> = [.unknownOutputField, .unknownReference, .expressionSyntax]

    /// Repairs what it can of `report`'s reference problems, validating again after each pass (closing a `{{` can
    /// show a reference to resolve), at most three passes.
    /// - Parameter askModel: whether a repair round is left to add a step the plan reads but lacks; without one, free
    ///   text reading it becomes plain text.
    static func apply(_ report: ValidationReport, to workflow: Workflow, registry: NodeRegistry = .standard, facts: ProseFacts? = nil,
                      askModel: Bool = false) -> Outcome {
        var outcome = Outcome(workflow: workflow)
        var report = report
        for _ in 0..<3 {
            let before = outcome.fixes.count + outcome.assumptions.count
            outcome.hints = []
            pass(report, &outcome, registry: registry, facts: facts, askModel: askModel)
            guard outcome.fixes.count + outcome.assumptions.count > before else { break }
            report = Validator(registry: registry).validate(outcome.workflow)
            guard report.errors.contains(where: { codes.contains($0.code) }) else { break }
        }
        return outcome
    }

    /// One pass over the problems: each node's parameter is repaired once, whatever the number of its problems.
    private static func pass(_ report: ValidationReport, _ outcome: inout Outcome, registry: NodeRegistry, facts: ProseFacts?, askModel: Bool) {
        var seen: Set<String> = []
        for problem in report.errors where codes.contains(problem.code) {
            guard let (index, key) = location(problem.path), outcome.workflow.nodes.indices.contains(index),
                seen.insert("\(index).\(key)").inserted, let value = outcome.workflow.nodes[index].configuration[key]
            else { continue }
            var site = ReferenceSite(workflow: outcome.workflow, registry: registry, facts: facts, nodeIndex: index, key: key)
            site.askModel = askModel
            let repaired = site.repair(value)
            outcome.hints += site.hints
            guard repaired != value else { continue }
            outcome.workflow.nodes[index].configuration[key] = repaired
            for input in site.manualInputs { outcome.workflow = add(input: input, to: outcome.workflow) }
            outcome.fixes += site.fixes
            outcome.assumptions += site.assumptions
        }
    }

    /// `nodes[3].configuration.message[0]` → (3, "message").
    static func location(_ path: String) -> (Int, String)? {
        guard let match = CronPhrase.firstMatch(#"^nodes\[(\d+)\]\.configuration\.([A-Za-z0-9_]+)"#, in: path), match.count == 2,
            let index = Int(match[0])
        else { return nil }
        return (index, match[1])
    }

    /// A manual trigger asks for what the workflow reads of it: an input of that name is added to its `inputs`.
    private static func add(input name: String, to workflow: Workflow) -> Workflow {
        var workflow = workflow
        guard let index = workflow.nodes.firstIndex(where: { $0.type == "trigger.manual" }) else { return workflow }
        var inputs = workflow.nodes[index].configuration["inputs"]?.arrayValue ?? []
        guard !inputs.contains(where: { $0["name"]?.stringValue == name }) else { return workflow }
        inputs.append(["name": .string(name), "type": "string", "required": true])
        workflow.nodes[index].configuration["inputs"] = .array(inputs)
        return workflow
    }

    /// Rewrites each `{{ … }}` of `text` with `transform` (its inner text in, what stands for the whole placeholder
    /// out). A `{{` that is never closed is passed to `unclosed` with the rest of the text, from the `{{` on.
    static func rewritePlaceholders(_ text: String, _ transform: (String) -> String, unclosed: (String) -> String = { $0 }) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            let inner = rest[open.upperBound...]
            guard let close = closingBraces(in: inner) else {
                result += unclosed(String(rest[open.lowerBound...]))
                return result
            }
            let source = String(inner[..<close.lowerBound])
            result += transform(source)
            rest = inner[close.upperBound...]
        }
        return result + rest
    }

    /// The `}}` that closes a placeholder, skipping quoted strings (as `Template` reads them).
    private static func closingBraces(in text: Substring) -> Range<Substring.Index>? {
        var quote: Character? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == "\\" { index = text.index(after: index) } else if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "}", text[index...].hasPrefix("}}") {
                return index..<text.index(index, offsetBy: 2)
            }
            if index < text.endIndex { index = text.index(after: index) }
        }
        return nil
    }

    /// Replaces the path `old` (a whole path, or a root when it ends with `.`) by `new` in an expression's text,
    /// outside its quoted strings.
    static func renamePath(in expression: String, _ old: String, to new: String) -> String {
        let end = old.hasSuffix(".") ? "" : "(?![A-Za-z0-9_])"
        let pattern = "(?<![A-Za-z0-9_.'\"])" + NSRegularExpression.escapedPattern(for: old) + end
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return expression }
        return regex.stringByReplacingMatches(in: expression, range: NSRange(expression.startIndex..., in: expression),
                                              withTemplate: NSRegularExpression.escapedTemplate(for: new))
    }
}
