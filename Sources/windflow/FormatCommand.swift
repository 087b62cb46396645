import ArgumentParser
import Foundation
import WindFlowCore

struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "format",
        abstract: "Rewrite a workflow in its canonical form.",
        discussion: """
            The canonical form spells out what the shorthands imply: the workflow: wrapper, the trigger as a node, \
            explicit edges, node settings beside configuration, parameters in the registry's order.
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case yaml, json
    }

    @Argument(help: "A workflow file (YAML or JSON); - reads standard input.")
    var file: String

    @Option(name: .customLong("to"), help: "yaml or json.")
    var target: Target = .yaml

    @Flag(name: .customLong("in-place"), help: "Overwrite the file instead of printing.")
    var inPlace = false

    func validate() throws {
        if inPlace && file == "-" { throw ValidationError("--in-place needs a file, not standard input") }
    }

    func run() throws {
        let workflow = try WorkflowFile.read(file).load().workflow
        let text = target == .yaml ? WorkflowCodec.yaml(workflow) : WorkflowCodec.json(workflow)
        if inPlace {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
                throw CLIError("\(file): cannot be written (\(error.localizedDescription))")
            }
        } else {
            print(text, terminator: "")
        }
    }
}
