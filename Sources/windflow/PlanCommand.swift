import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show a workflow as a design plan, compile a plan into a workflow, or print the plan's JSON Schema.",
        discussion: """
            A plan is what a model writes when it designs (docs/DESIGNER.md): a trigger and steps, with if, switch, \
            for_each, parallel, wait and stop blocks, and no ids or edges.
              windflow plan workflow.yaml              the workflow as a plan (exit 1 if the plan form cannot say it)
              windflow plan --compile plan.json        the plan as a workflow (YAML), problems at plan paths
              windflow plan --schema [--strict | --grammar] [--types integration.http,…]
            """)

    @Argument(help: "A workflow file, or with --compile a plan file ('-' for standard input).")
    var file: String?

    @Flag(help: "Read a plan and print the workflow it compiles to.")
    var compile = false

    @Flag(help: "Print the JSON Schema a model's plan must follow.")
    var schema = false

    @Flag(help: "With --schema: OpenAI's strict dialect (every property required, optional ones nullable).")
    var strict = false

    @Flag(help: "With --schema: the schema as the compact GBNF grammar sent to llama-server (no whitespace between tokens).")
    var grammar = false

    @Option(help: "With --schema: only these action types (comma-separated).")
    var types: String?

    func validate() throws {
        if !schema && file == nil { throw ValidationError("give a workflow file, --compile PLAN, or --schema") }
    }

    func run() throws {
        if schema {
            let chosen = types.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let planSchema = PlanSchema(types: chosen, dialect: strict ? .strict : .grammar)
            print(grammar ? CompactGrammar(planSchema.schema).text : planSchema.text)
            return
        }
        let input = try WorkflowFile.read(file!)
        if compile {
            guard let value = try? JSONValue.parse(input.text) else { throw CLIError("\(input.name): not JSON") }
            let read = DesignPlan.read(value)
            guard let plan = read.plan else { throw CLIError(read.problems.map(\.description).joined(separator: "\n")) }
            let output = PlanCompiler().compile(plan)
            let report = Validator(registry: .standard).validate(output.workflow)
            print(WorkflowCodec.yaml(output.workflow, registry: .standard))
            let problems = read.problems + output.problems + report.problems.map(output.planProblem)
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            if !report.isValid || !output.problems.isEmpty { throw ExitCode(1) }
            return
        }
        let workflow = try input.load().workflow
        guard let plan = PlanDecompiler.plan(workflow) else {
            FileHandle.standardError.write(Data("\(input.name): the plan form cannot express this graph (branches meet where no block ends, a second trigger, or a disabled node)\n".utf8))
            throw ExitCode(1)
        }
        print(plan.jsonText)
    }
}
