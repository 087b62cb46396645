import Foundation
import WindFlowCore

/// What every deployment action reads from its node: the stack, the environment, the variables.
struct DeploymentContext {
    let settings: DeploymentSettings
    let context: NodeContext

    func string(_ name: String) -> String? {
        context.parameter(name)?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    func bool(_ name: String) -> Bool { context.parameter(name)?.boolValue ?? false }

    func number(_ name: String) -> Double? {
        guard let value = context.parameter(name) else { return nil }
        return value.doubleValue ?? DurationText.seconds(from: value) ?? value.stringValue.flatMap(Double.init)
    }

    func strings(_ name: String) -> [String]? {
        context.parameter(name)?.arrayValue?.map(\.renderedText).filter { !$0.isEmpty }
    }

    var stackID: String? { string("stack_id") }
    var environment: String { string("environment") ?? "production" }
    var variables: [String: String] { (context.input["variables"]?.objectValue ?? [:]).mapValues(\.renderedText) }
    var scope: StackScope? { stackID.map { StackScope(stack: $0, environment: environment) } }

    /// Labels selecting the stack's containers in this environment, or every WindFlow container without a stack.
    var selector: [String: String] { scope?.labels ?? [:] }

    func iso8601(_ time: Double) -> String { ExecutionStateMachine.iso8601(time) }
}

extension NodeOutcome {
    static func failed(_ error: DeploymentError) -> NodeOutcome { .failed(error.nodeFailure) }

    /// An action that needs `stack_id` got none.
    static let missingStack = NodeOutcome.failed(NodeFailure(.validation, "stack_id is required", retryable: false))
}
