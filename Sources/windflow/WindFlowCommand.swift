import ArgumentParser
import WindFlowCore

@main
struct WindFlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windflow",
        abstract: "Design, validate and run automation workflows.",
        discussion: "Workflow files are YAML or JSON in the format of docs/FORMAT.md; run 'windflow schema' for its JSON Schema.",
        version: WindFlowVersion.current,
        subcommands: [
            ServeCommand.self, ValidateCommand.self, RunCommand.self, ExecutionsCommand.self, ResumeCommand.self, RegistryCommand.self,
            SchemaCommand.self, GraphCommand.self, FormatCommand.self, APIKeyCommand.self, DesignCommand.self, ProposalsCommand.self,
            TemplatesCommand.self, EvalCommand.self, EvalAdviceCommand.self, SuggestCommand.self, WorkerCommand.self, ExplainCommand.self, StacksCommand.self, PlanCommand.self,
            StoreCommand.self,
        ])
}

/// The version `windflow --version` prints.
enum WindFlowVersion {
    static let current = "0.1.0"
}

/// How a command writes its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
