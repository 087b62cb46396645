import Foundation
import WindFlowCore

/// What every deployment action reads from its node: the stack, the environment, the variables.
struct DeploymentContext {
    let settings: DeploymentSettings
    let context: NodeContext
    /// The node's parameters with the registry's defaults (`try node.parameters.bool("compress")`).
    let parameters: NodeParameters
    let environment: String

    /// - Throws: when the environment cannot be read (set to something other than text).
    init(settings: DeploymentSettings, context: NodeContext) throws(ParameterError) {
        self.settings = settings
        self.context = context
        parameters = context.parameters
        // Empty for an action that has no environment (renew_certificates), and so no stack either.
        environment = parameters["environment"] == nil ? "" : try parameters.string("environment")
    }

    /// Text of a parameter without a default; `nil` when unset or empty.
    func string(_ name: String) -> String? {
        parameters[name]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A number (or duration) of a parameter without a default; `nil` when unset.
    func number(_ name: String) -> Double? {
        guard let value = parameters[name] else { return nil }
        return value.doubleValue ?? DurationText.seconds(from: value) ?? value.stringValue.flatMap(Double.init)
    }

    /// A list of a parameter without a default; `nil` when unset.
    func strings(_ name: String) -> [String]? {
        parameters[name]?.arrayValue?.map(\.renderedText).filter { !$0.isEmpty }
    }

    var stackID: String? { string("stack_id") }
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
