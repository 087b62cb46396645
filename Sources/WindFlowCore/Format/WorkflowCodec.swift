import Foundation

/// Reading and writing workflow files, YAML or JSON, in the seed's format.
public enum WorkflowCodec {
    /// Reads a workflow from YAML or JSON text (JSON is read by the same parser, so lines are known for both).
    /// - Throws: ``WorkflowFormatError`` when the text is not a workflow document at all; every lesser problem is
    ///   returned in ``LoadedWorkflow/problems``.
    public static func load(_ text: String) throws(WorkflowFormatError) -> LoadedWorkflow {
        try WorkflowDecoder.decode(try LocatedParser.parse(text))
    }

    /// The text (YAML or JSON) as plain data, before it is read as a workflow: for checking its shape.
    /// - Throws: ``WorkflowFormatError`` when it is not YAML or JSON at all.
    public static func data(_ text: String) throws(WorkflowFormatError) -> JSONValue {
        try LocatedParser.parse(text).plain
    }

    /// The canonical YAML form.
    public static func yaml(_ workflow: Workflow, registry: NodeRegistry = .standard) -> String {
        WorkflowEncoder(registry: registry).document(workflow).yamlText()
    }

    /// The canonical JSON document as a value (`{"workflow": {…}}`), as the API shows workflows.
    public static func jsonValue(_ workflow: Workflow, registry: NodeRegistry = .standard) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(json(workflow, registry: registry).utf8))) ?? .null
    }

    /// The canonical JSON form, indented by two spaces.
    public static func json(_ workflow: Workflow, registry: NodeRegistry = .standard) -> String {
        WorkflowEncoder(registry: registry).document(workflow).jsonText(indent: 2) + "\n"
    }
}
