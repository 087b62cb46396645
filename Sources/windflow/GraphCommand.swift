import ArgumentParser
import WindFlowCore

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a workflow as a Mermaid flowchart or a Graphviz graph.",
        discussion: "Paste Mermaid into a README, or render DOT with: windflow graph FILE --format dot | dot -Tsvg > flow.svg")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Argument(help: "A workflow file (YAML or JSON); - reads standard input.")
    var file: String

    @Option(help: "mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        let workflow = try WorkflowFile.read(file).load().workflow
        switch format {
        case .mermaid: print(WorkflowDiagram.mermaid(workflow), terminator: "")
        case .dot: print(WorkflowDiagram.dot(workflow), terminator: "")
        }
    }
}
