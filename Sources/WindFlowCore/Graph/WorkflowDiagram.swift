import Foundation

/// Pictures of a workflow's graph as text: Mermaid for READMEs, DOT for Graphviz.
public enum WorkflowDiagram {
    /// A Mermaid flowchart: triggers as stadiums, conditions and switches as diamonds, branch names on edges.
    public static func mermaid(_ workflow: Workflow, registry: NodeRegistry = .standard) -> String {
        var lines = ["flowchart TD"]
        var ids: [String: String] = [:]
        func mermaidID(_ id: String) -> String {
            if let known = ids[id] { return known }
            let made = "n\(ids.count)_" + Validator.normalizedID(id)
            ids[id] = made
            return made
        }
        for node in workflow.nodes {
            let label = mermaidEscape(label(node))
            let shape: (String, String)
            switch registry.type(node.type).map({ ($0.isTrigger, $0.branches) }) {
            case (true, _)?: shape = ("([\"", "\"])")
            case (_, .named)?, (_, .cases)?: shape = ("{\"", "\"}")
            default: shape = ("[\"", "\"]")
            }
            lines.append("    \(mermaidID(node.id))\(shape.0)\(label)\(shape.1)")
        }
        for edge in workflow.edges {
            let arrow = edge.branch.map { "-->|\(mermaidEscape($0))|" } ?? "-->"
            let style = edge.branch == "error" ? arrow.replacingOccurrences(of: "-->", with: "-.->") : arrow
            lines.append("    \(mermaidID(edge.source)) \(style) \(mermaidID(edge.target))")
        }
        for node in workflow.nodes where node.disabled {
            lines.append("    style \(mermaidID(node.id)) stroke-dasharray: 5 5")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Graphviz digraph.
    public static func dot(_ workflow: Workflow, registry: NodeRegistry = .standard) -> String {
        var lines = [
            "digraph \(dotQuote(workflow.name)) {",
            "    rankdir=TB;",
            "    node [shape=box, style=rounded, fontname=\"Helvetica\"];",
            "    edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        for node in workflow.nodes {
            var attributes = ["label=\(dotQuote(label(node, separator: "\n")))"]
            if let type = registry.type(node.type) {
                if type.isTrigger { attributes.append("shape=oval") }
                if case .main = type.branches {} else { attributes.append("shape=diamond") }
            }
            if node.disabled { attributes.append("style=dashed") }
            lines.append("    \(dotQuote(node.id)) [\(attributes.joined(separator: ", "))];")
        }
        for edge in workflow.edges {
            var attributes: [String] = []
            if let branch = edge.branch { attributes.append("label=\(dotQuote(branch))") }
            if edge.branch == "error" { attributes.append("style=dashed, color=red") }
            let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            lines.append("    \(dotQuote(edge.source)) -> \(dotQuote(edge.target))\(suffix);")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func label(_ node: WorkflowNode, separator: String = "<br/>") -> String {
        let title = node.name ?? node.id
        return node.type.isEmpty ? title : "\(title)\(separator)\(node.type)"
    }

    private static func mermaidEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(of: "|", with: "#124;")
    }

    private static func dotQuote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
