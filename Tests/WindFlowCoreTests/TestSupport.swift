import Foundation
import Testing
@testable import WindFlowCore

/// Loads and validates YAML text the way `windflow validate` does.
func validate(_ yaml: String, registry: NodeRegistry = .standard) throws -> ValidationReport {
    Validator(registry: registry).validate(try WorkflowCodec.load(yaml))
}

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fixture file's text.
func fixture(_ name: String) throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/WindFlowCoreTests/Fixtures/\(name)"), encoding: .utf8)
}

/// A workflow with a manual trigger named `start`, the given nodes (YAML list items, indented by 4) and edges.
func workflowYAML(nodes: String, edges: String? = nil) -> String {
    var text = """
        workflow:
          name: test
          nodes:
            - id: start
              type: trigger.manual
        \(nodes)
        """
    if let edges { text += "\n  edges:\n\(edges)" }
    return text
}
