import ArgumentParser
import WindFlowCore

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "List the node types, or describe one.",
        discussion: "Without TYPE: every node type by category. With TYPE: its parameters, outputs and branches.")

    @Argument(help: "A node type id, e.g. integration.http.")
    var type: String?

    @Option(help: "text for people, json for tools.")
    var format: OutputFormat = .text

    func run() throws {
        let registry = NodeRegistry.standard
        guard let id = type else {
            switch format {
            case .text: print(Self.renderList(registry))
            case .json: print(JSONValue.array(registry.types.map(\.jsonValue)).prettyJSONText)
            }
            return
        }
        guard let nodeType = registry.type(id) else {
            let hint = registry.closestType(to: id).map { "; did you mean '\($0)'?" } ?? "; run 'windflow registry' for the list"
            throw CLIError("'\(id)' is not a known node type\(hint)")
        }
        switch format {
        case .text: print(Self.renderType(nodeType))
        case .json: print(nodeType.jsonValue.prettyJSONText)
        }
    }

    static func renderList(_ registry: NodeRegistry) -> String {
        var lines: [String] = []
        let width = registry.ids.map(\.count).max() ?? 0
        for category in NodeCategory.allCases {
            let types = registry.types.filter { $0.category == category }
            guard !types.isEmpty else { continue }
            if !lines.isEmpty { lines.append("") }
            lines.append(category.title)
            for type in types {
                lines.append("  \(type.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(type.summary)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func renderType(_ type: NodeType) -> String {
        var lines = ["\(type.id) — \(type.displayName)\(type.isTrigger ? " (trigger)" : "")", type.summary, ""]
        lines.append("Parameters:")
        if type.parameters.isEmpty { lines.append("  (none)") }
        for parameter in type.parameters {
            var facts = [parameter.type.displayName]
            if parameter.required { facts.append("required") }
            if let defaultValue = parameter.defaultValue { facts.append("default \(defaultValue.jsonText)") }
            if let allowed = parameter.allowedValues { facts.append("one of \(allowed.joined(separator: ", "))") }
            if let minimum = parameter.minimum { facts.append("≥ \(JSONValue.format(minimum))") }
            if let maximum = parameter.maximum { facts.append("≤ \(JSONValue.format(maximum))") }
            if parameter.isSecret { facts.append("secret") }
            lines.append("  \(parameter.name) (\(facts.joined(separator: ", ")))")
            lines.append("      \(parameter.description)")
            if let example = parameter.example { lines.append("      example: \(example.jsonText)") }
        }
        for group in type.requiresOneOf { lines.append("  Set at least one of: \(group.joined(separator: ", ")).") }
        lines.append("")
        lines.append("Outputs:\(type.hasDynamicOutputs ? " (and any fields it produces)" : "")")
        if type.outputs.isEmpty { lines.append("  (none)") }
        for output in type.outputs {
            lines.append("  \(output.name) (\(output.type.rawValue)): \(output.description)")
        }
        switch type.branches {
        case .main: break
        case .named(let names):
            lines.append("")
            lines.append("Branches: \(names.joined(separator: ", "))")
        case .cases(let parameter, let fallback):
            lines.append("")
            lines.append("Branches: one per entry of \(parameter) (its name), and \(fallback)")
        }
        return lines.joined(separator: "\n")
    }
}
