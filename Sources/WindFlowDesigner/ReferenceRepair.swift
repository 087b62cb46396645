import Foundation
import WindFlowCore

/// The reference fixes the validator's own suggestions make certain, applied before anything goes back to a
/// model: `{{ fetch.stauts }}` → `{{ fetch.status }}` ("did you mean 'status'?"), a misspelled step name or
/// trigger field. A manual or webhook trigger's fields are whatever the caller sends, so they are never "wrong".
enum ReferenceRepair {
    /// The workflow with what could be fixed, and each fix in words.
    static func apply(_ report: ValidationReport, to workflow: Workflow) -> (Workflow, [String]) {
        var workflow = workflow
        var fixes: [String] = []
        for problem in report.errors where problem.code == .unknownOutputField || problem.code == .unknownReference {
            guard let index = nodeIndex(problem.path), workflow.nodes.indices.contains(index) else { continue }
            let quoted = CronPhrase.firstMatch(#"'([^']+)'(?:[^']*'([^']+)')?"#, in: problem.message) ?? []
            let suggested = problem.suggestion.flatMap { CronPhrase.firstMatch(#"did you mean '([^']+)'"#, in: $0)?.first }
            let node = workflow.nodes[index].id
            switch problem.code {
            case .unknownOutputField where problem.message.hasPrefix("the trigger has no output"):
                guard let field = quoted.first, let suggested else { continue }
                rename(in: &workflow.nodes[index], "trigger.\(field)", to: "trigger.\(suggested)")
                fixes.append("\(node): trigger.\(field) → trigger.\(suggested)")
            case .unknownOutputField:
                guard quoted.count == 2, let suggested else { continue }
                rename(in: &workflow.nodes[index], "\(quoted[0]).\(quoted[1])", to: "\(quoted[0]).\(suggested)")
                fixes.append("\(node): \(quoted[0]).\(quoted[1]) → \(quoted[0]).\(suggested)")
            default:
                guard quoted.count == 2, let suggested else { continue }
                rename(in: &workflow.nodes[index], quoted[1] + ".", to: suggested + ".")
                fixes.append("\(node): \(quoted[1]) → \(suggested)")
            }
        }
        return (workflow, fixes)
    }

    private static func nodeIndex(_ path: String) -> Int? {
        CronPhrase.firstMatch(#"^nodes\[(\d+)\]"#, in: path)?.first.flatMap { Int($0) }
    }

    /// Replaces `old` by `new` inside the node's placeholders, where it starts a path.
    private static func rename(in node: inout WorkflowNode, _ old: String, to new: String) {
        // A whole path ends where the name does; a root (`fetsh.`) is followed by its fields.
        let end = old.hasSuffix(".") ? "" : "(?![A-Za-z0-9_])"
        let pattern = "(?<![A-Za-z0-9_.])" + NSRegularExpression.escapedPattern(for: old) + end
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return }
        func fix(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text) where text.contains("{{") || node.type == "logic.condition":
                return .string(regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                              withTemplate: NSRegularExpression.escapedTemplate(for: new)))
            case .array(let elements): return .array(elements.map(fix))
            case .object(let members): return .object(members.mapValues(fix))
            default: return value
            }
        }
        node.configuration = node.configuration.mapValues(fix)
    }
}
