import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say in plain words what a workflow does: its trigger, each step, branches, failures, secrets and systems.",
        discussion: "Written from the workflow's graph; with --provider, the model words it instead.")

    @Argument(help: "A workflow file, or the name of a stored workflow.") var workflow: String
    @OptionGroup var designerOptions: DesignerOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let loaded: Workflow
        if FileManager.default.fileExists(atPath: workflow) {
            loaded = try WorkflowFile.read(workflow).load().workflow
        } else {
            guard let stored = try await store.openStore().workflow(workflow, version: nil) else { throw CLIError("\(workflow): no such file or stored workflow") }
            loaded = stored.workflow
        }
        let designer = try await designerOptions.designer(store: nil)
        let explainer = WorkflowExplainer()
        let explanation: WorkflowExplainer.Explanation
        do {
            explanation = try await explainer.explain(loaded, designer: designer) ?? explainer.explain(loaded)
        } catch {
            printError("the model could not be used (\(error)); explained from the graph")
            explanation = explainer.explain(loaded)
        }
        writeLine(explanation.summary)
        for (index, step) in explanation.steps.enumerated() { writeLine("\(index + 1). \(step)") }
        for risk in explanation.risks { writeLine("note: \(risk)") }
    }
}
