import ArgumentParser
import WindFlowCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the workflow file format.",
        discussion: """
            Generated from the node registry. Save it and point your editor at it, e.g. with the \
            yaml-language-server modeline '# yaml-language-server: $schema=./windflow.schema.json'.
            """)

    func run() throws {
        print(WorkflowSchema.generate().prettyJSONText)
    }
}
