import Foundation
import WindFlowCore

/// The offline planner's own plans, when no template fits: the steps the request names, in its order, in the blocks
/// its words ask for — `switch` for cases ("for production …, for staging …", "critical: … warning: …"),
/// `parallel` ("in parallel", with a branch per URL or service), `for_each` ("for each", "loop over"), `if` (a
/// limit or a check), and `on_error` ("if it fails"). Compiled by the same compiler as a model's plans.
struct ProsePlanner {
    let planner: OfflinePlanner
    let facts: ProseFacts

    /// Steps for the whole request, and what had to be assumed.
    mutating func steps(_ prose: String, assumptions: inout [String]) -> [PlanStep] {
        steps(" " + prose.lowercased() + " ", assumptions: &assumptions, depth: 0)
    }

    private func steps(_ text: String, assumptions: inout [String], depth: Int) -> [PlanStep] {
        guard depth < 4 else { return [] }
        if let choice = choice(text, assumptions: &assumptions, depth: depth) { return choice }
        if let fanOut = parallel(text, assumptions: &assumptions, depth: depth) { return fanOut }
        if let failure = Self.firstRange(of: Self.failureMarkers, in: text) {
            // What comes before, with the failure handling on its last action.
            var before = steps(String(text[..<failure.lowerBound]), assumptions: &assumptions, depth: depth + 1)
            let after = String(text[failure.upperBound...])
            let (handlerText, restText) = Self.split(after, at: Self.resumeMarkers)
            let handler = steps(handlerText, assumptions: &assumptions, depth: depth + 1)
            if let last = before.lastIndex(where: { if case .action = $0 { return true } else { return false } }),
                case .action(var action) = before[last], !handler.isEmpty {
                action.onError = .steps(handler)
                before[last] = .action(action)
                return before + steps(restText, assumptions: &assumptions, depth: depth + 1)
            }
            return before + handler + steps(restText, assumptions: &assumptions, depth: depth + 1)
        }
        return sequence(text, assumptions: &assumptions, depth: depth)
    }

    /// The actions of `text` in order; a loop takes what follows it until "when all are done"; a condition what follows.
    private func sequence(_ text: String, assumptions: inout [String], depth: Int) -> [PlanStep] {
        let types = ProseFacts(text).actions
        var result: [PlanStep] = []
        for (index, type) in types.enumerated() {
            switch type {
            case "logic.loop":
                guard let marker = Self.firstRange(of: Self.loopMarkers, in: text) else { continue }
                let (body, after) = Self.split(String(text[marker.upperBound...]), at: Self.afterLoopMarkers)
                let listed = Self.listedItems(text)
                var items: [String] = listed?.items ?? facts.services
                if items.count < 2 {
                    items = ["first", "second"]
                    assumptions.append("the loop goes over a stand-in list: set its items")
                }
                var inner = steps(body, assumptions: &assumptions, depth: depth + 1)
                // "loop over the stacks shop, blog and wiki": each step works on the item.
                if let noun = listed?.noun, let parameter = ["stack": "stack_id", "service": "service_id"][noun] {
                    inner = inner.map { step in
                        guard case .action(var action) = step, planner.registry.type(action.type)?.parameter(parameter) != nil else { return step }
                        action.with[parameter] = "{{ item }}"
                        return .action(action)
                    }
                }
                let loop = PlanStep.forEach(name: "each", items: .array(items.map { .string($0) }), parallel: false, body: inner)
                return result + [loop] + steps(after, assumptions: &assumptions, depth: depth + 1)
            case "logic.condition":
                let rest = Array(types[(index + 1)...]).filter { $0 != "logic.condition" }
                let condition = conditionText(after: result.last)
                assumptions.append("the condition compares the previous step's value; check the field it reads")
                return result + [.condition(name: "check", condition: condition, then: rest.map { action($0, assumptions: &assumptions) }, otherwise: [])]
            case "logic.wait":
                result.append(.wait(name: nil, duration: facts.schedule == nil && text.contains("until") ? "{{ trigger.release_at }}" : "5m"))
            default:
                result.append(action(type, assumptions: &assumptions))
            }
        }
        return result
    }

    private func action(_ type: String, assumptions: inout [String]) -> PlanStep {
        var said: [String] = []
        var node = WorkflowNode(id: "x", type: type, configuration: planner.starter(type, facts: facts, assumptions: &said))
        for assumption in said where !assumptions.contains(assumption) { assumptions.append(assumption) }
        if type == "integration.notification" { OfflinePlanner.completeChannels(&node, facts: facts, registry: planner.registry) }
        return .action(PlanAction(type: type, name: String(type.split(separator: ".").last ?? "step"), with: node.configuration))
    }

    private func conditionText(after previous: PlanStep?) -> String {
        let limit = JSONValue.format(facts.threshold ?? 80)
        guard case .action(let action)? = previous, let type = planner.registry.type(action.type) else { return "{{ trigger.value > \(limit) }}" }
        let name = action.name ?? "step"
        if let field = ["cpu_usage", "usage", "value", "error_rate"].first(where: { type.output($0) != nil })
            ?? type.outputs.first(where: { $0.type == .number || $0.type == .integer })?.name
        {
            return "{{ \(name).\(field) > \(limit) }}"
        }
        if let flag = type.outputs.first(where: { $0.type == .boolean }) { return "{{ not \(name).\(flag.name) }}" }
        return "{{ trigger.value > \(limit) }}"
    }

    // MARK: - Cases

    /// "for production …, for staging …, anything else …" or "critical: … warning: …": a switch.
    private func choice(_ text: String, assumptions: inout [String], depth: Int) -> [PlanStep]? {
        for (field, words) in Self.caseVocabularies {
            let found = words.compactMap { word -> (Range<String.Index>, String)? in
                let pattern = #"(?:\bfor |if it'?s |\bwhen it'?s |\bpour |si c'est |\b)"# + NSRegularExpression.escapedPattern(for: word.spoken) + #"\b\s*[:,;]?"#
                guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
                // A case word only counts where it starts a clause of its own.
                let clause = text[range]
                guard clause.hasSuffix(":") || clause.hasSuffix(",") || clause.contains("for ") || clause.contains("if it") || clause.contains("pour ") else { return nil }
                return (range, word.value)
            }.sorted { $0.0.lowerBound < $1.0.lowerBound }
            guard found.count >= 2 else { continue }
            var cases: [PlanCase] = []
            let otherwise = Self.firstRange(of: Self.defaultMarkers, in: text)
            for (index, entry) in found.enumerated() {
                let end = index + 1 < found.count ? found[index + 1].0.lowerBound : (otherwise?.lowerBound ?? text.endIndex)
                guard entry.0.upperBound <= end else { continue }
                let segment = String(text[entry.0.upperBound..<end])
                cases.append(PlanCase(when: .string(entry.1), steps: steps(segment, assumptions: &assumptions, depth: depth + 1)))
            }
            var fallback: [PlanStep] = []
            if let otherwise {
                let segment = String(text[otherwise.upperBound...])
                fallback = steps(segment, assumptions: &assumptions, depth: depth + 1)
                if fallback.isEmpty, segment.range(of: #"\b(stop|error|fail|refuse|abort)"#, options: .regularExpression) != nil {
                    fallback = [.stop(name: "unknown_case", failed: true, message: "no case for {{ trigger.\(field) }}")]
                }
            }
            let before = steps(String(text[..<found[0].0.lowerBound]), assumptions: &assumptions, depth: depth + 1)
                .filter { if case .condition = $0 { return false } else { return true } }
            assumptions.append("the cases are chosen by the trigger's \(field) field")
            return before + [.choice(name: "route", value: "{{ trigger.\(field) }}", cases: cases, otherwise: fallback)]
        }
        return nil
    }

    // MARK: - Parallel

    /// "call A and B in parallel, keep whichever answers first": a branch per URL or service, joined.
    private func parallel(_ text: String, assumptions: inout [String], depth: Int) -> [PlanStep]? {
        guard let marker = Self.firstRange(of: Self.parallelMarkers, in: text) else { return nil }
        // Sentences end at ". " or ";" (a dot inside a URL or a version does not end one).
        let head = text[..<marker.lowerBound]
        let sentenceStart = [head.range(of: ". ", options: .backwards)?.upperBound, head.range(of: ";", options: .backwards)?.upperBound]
            .compactMap { $0 }.max() ?? text.startIndex
        let tail = text[marker.upperBound...]
        let sentenceEnd = [tail.range(of: ". ")?.lowerBound, tail.range(of: ";")?.lowerBound, tail.hasSuffix(". ") ? nil : nil]
            .compactMap { $0 }.min() ?? text.endIndex
        let clause = String(text[sentenceStart..<sentenceEnd])
        let (inside, after) = Self.split(clause, at: [", then ", " then ", ", and post", ", and send", ", post", ", puis"])
        let join: PlanJoin = clause.range(of: #"\b(first|whichever|fastest|premier)\b"#, options: .regularExpression) != nil ? .first : .all
        let types = ProseFacts(inside).actions.filter { !$0.hasPrefix("logic.") }
        var branches: [[PlanStep]] = []
        let urls = facts.urls.filter { inside.contains($0.lowercased()) }
        if urls.count >= 2 {
            branches = urls.enumerated().map { index, url in
                [.action(PlanAction(type: "integration.http", name: "call_\(index + 1)", with: ["method": "GET", "url": .string(url)]))]
            }
        } else if facts.services.count >= 2, let type = types.first(where: { ["windflow.deploy_stack", "windflow.scale_service", "windflow.health_check"].contains($0) }) {
            branches = facts.services.map { service in
                guard case .action(var action) = self.action(type, assumptions: &assumptions) else { return [] }
                action.name = "\(action.name ?? "step")_\(Validator.normalizedID(service))"
                action.with[type == "windflow.deploy_stack" ? "services" : "service_id"] = type == "windflow.deploy_stack" ? .array([.string(service)]) : .string(service)
                return [.action(action)]
            }
        } else if types.count >= 2 {
            branches = types.map { [action($0, assumptions: &assumptions)] }
        }
        guard branches.count >= 2 else { return nil }
        let before = steps(String(text[..<sentenceStart]), assumptions: &assumptions, depth: depth + 1)
        let rest = steps(after + " " + String(text[sentenceEnd...]), assumptions: &assumptions, depth: depth + 1)
        return before + [.parallel(name: "join", branches: branches, join: join)] + rest
    }

    // MARK: - Words

    static let failureMarkers = ["if that fails", "if it fails", "if this fails", "if that blows up", "if it blows up", "on failure", "if anything fails",
                                 "when it fails", "en cas d'échec", "si ça échoue", "if the deploy fails", "if the backup fails"]
    static let resumeMarkers = [", otherwise", " otherwise", ", else", " sinon", ". then", "; then"]
    static let loopMarkers = ["for each", "for every", "each of them", "loop over", "go through each", "pour chaque", "one by one"]
    static let afterLoopMarkers = ["when all of them are done", "when it's all done", "when all are done", "when done", "at the end", "afterwards",
                                   "when finished", "then send a single", "à la fin", "une fois terminé"]
    static let parallelMarkers = ["in parallel", "at the same time", "simultaneously", "en parallèle", "concurrently"]
    static let defaultMarkers = ["anything else", "for anything else", "otherwise", "any other", "sinon", "autre chose"]

    struct CaseWord { var spoken: String; var value: String }
    static let caseVocabularies: [(String, [CaseWord])] = [
        ("environment", [CaseWord(spoken: "production", value: "production"), CaseWord(spoken: "staging", value: "staging"),
                         CaseWord(spoken: "dev", value: "dev"), CaseWord(spoken: "development", value: "development")]),
        ("severity", [CaseWord(spoken: "critical", value: "critical"), CaseWord(spoken: "warning", value: "warning"),
                      CaseWord(spoken: "info", value: "info")]),
    ]

    static func firstRange(of markers: [String], in text: String) -> Range<String.Index>? {
        markers.compactMap { text.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }
    }

    /// The text before the first marker, and from it on.
    static func split(_ text: String, at markers: [String]) -> (String, String) {
        guard let range = firstRange(of: markers, in: text) else { return (text, "") }
        return (String(text[..<range.lowerBound]), String(text[range.lowerBound...]))
    }

    /// "over the stacks shop, blog and wiki" → (stack, [shop, blog, wiki]).
    static func listedItems(_ text: String) -> (noun: String, items: [String])? {
        let pattern = #"(?:over|each of|every one of|for each of|for each|through)\s+(?:the\s+|our\s+)?(stack|service|host|server|site|database)s?\s*(?:\(|:)?\s*([a-z0-9][\w-]*(?:\s*,\s*[a-z0-9][\w-]*)*(?:,?\s+(?:and|et)\s+[a-z0-9][\w-]*))"#
        guard let match = CronPhrase.firstMatch(pattern, in: text) else { return nil }
        let items = match[1].replacingOccurrences(of: " and ", with: ",").replacingOccurrences(of: " et ", with: ",")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.count >= 2 ? (match[0], items) : nil
    }

    static func isLoop(_ step: PlanStep) -> Bool {
        if case .forEach = step { return true }
        return false
    }
}
