import Foundation
import WindFlowCore

/// Evaluates a condition written as `{{ … }}` or as a bare expression.
func evaluateCondition(_ raw: JSONValue?, scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
    switch raw {
    case .string(let text)?:
        if Template.containsPlaceholder(text) { return try Template.parse(text).render(in: scope) }
        return try ExpressionParser.parse(text).evaluate(in: scope)
    case let value?: return value
    case nil: return .null
    }
}

func expressionFailure(_ error: ExpressionError, parameter: String) -> NodeOutcome {
    .failed(.expression(error, parameter: parameter))
}

/// `logic.condition`: follows `true` or `false`.
struct ConditionExecutor: NodeExecutor {
    var isInstant: Bool { true }
    var rawParameters: Set<String> { ["condition"] }

    func execute(_ context: NodeContext) async -> NodeOutcome {
        do {
            let result = try evaluateCondition(context.node.configuration["condition"], scope: context.scope).isTruthy
            return .succeeded(["result": .bool(result)], branch: result ? "true" : "false")
        } catch {
            return expressionFailure(error, parameter: "condition")
        }
    }
}

/// `logic.switch`: the first case whose `equals` matches `value` or whose `condition` holds, else `default`.
struct SwitchExecutor: NodeExecutor {
    var isInstant: Bool { true }
    var rawParameters: Set<String> { ["cases"] }

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let value = context.input["value"] ?? .null
        for (index, entry) in (context.node.configuration["cases"]?.arrayValue ?? []).enumerated() {
            guard let name = entry["name"]?.stringValue else { continue }
            do {
                if let equals = entry["equals"] {
                    let expected = try render(equals, scope: context.scope)
                    if expected == value || expected.renderedText == value.renderedText && expected.doubleValue == nil {
                        return .succeeded(["branch": .string(name), "value": value], branch: name)
                    }
                }
                if let condition = entry["condition"], try evaluateCondition(condition, scope: context.scope).isTruthy {
                    return .succeeded(["branch": .string(name), "value": value], branch: name)
                }
            } catch {
                return expressionFailure(error, parameter: "cases[\(index)]")
            }
        }
        return .succeeded(["branch": "default", "value": value], branch: "default")
    }

    private func render(_ value: JSONValue, scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        guard case .string(let text) = value, Template.containsPlaceholder(text) else { return value }
        return try Template.parse(text).render(in: scope)
    }
}

/// `logic.loop`: hands its items to the state machine, which runs the body once per item.
struct LoopExecutor: NodeExecutor {
    var isInstant: Bool { true }
    func execute(_ context: NodeContext) async -> NodeOutcome {
        var items = context.input["items"] ?? .null
        if case .string(let text) = items, let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            items = parsed
        }
        guard case .array(let list) = items else {
            return .failed(NodeFailure(.validation, "items must be a list, not a \(items.kindName)", retryable: false))
        }
        do throws(ParameterError) {
            let limit = try context.parameters.int("max_items")
            guard list.count <= limit else {
                return .failed(NodeFailure(.validation, "items has \(list.count) elements; max_items is \(limit)", retryable: false))
            }
            let parallel = try context.parameters.string("mode") == "parallel" ? try context.parameters.int("max_parallel") : 1
            return .iterate(list, parallel: parallel)
        } catch {
            return .failed(NodeFailure(error))
        }
    }
}

/// `logic.merge`: joins the outputs that arrived.
struct MergeExecutor: NodeExecutor {
    var isInstant: Bool { true }
    func execute(_ context: NodeContext) async -> NodeOutcome {
        var inputs: [String: JSONValue] = [:]
        for (source, output) in context.incoming { inputs[source] = output }
        var output: [String: JSONValue] = [
            "inputs": .object(inputs), "items": .array(context.incoming.map(\.output)),
        ]
        if let first = context.incoming.first { output["first"] = .string(first.source) }
        return .succeeded(.object(output), branch: nil)
    }
}

/// `logic.wait`: parks the run until a time; the state machine wakes it.
struct WaitExecutor: NodeExecutor {
    var isInstant: Bool { true }
    func execute(_ context: NodeContext) async -> NodeOutcome {
        if let duration = context.input["duration"], !duration.isNull {
            guard let seconds = DurationText.seconds(from: duration), seconds >= 0 else {
                return .failed(NodeFailure(.validation, "duration '\(duration.renderedText)' is not a duration", retryable: false))
            }
            return .wait(until: context.now + seconds)
        }
        guard let text = context.input["until"]?.stringValue else {
            return .failed(NodeFailure(.validation, "set duration or until", retryable: false))
        }
        guard let date = Self.parse(text) else {
            return .failed(NodeFailure(.validation, "until '\(text)' is not an ISO 8601 time such as 2026-12-01T09:00:00Z",
                                       retryable: false))
        }
        return .wait(until: date.timeIntervalSince1970)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// `logic.stop`: ends the run on purpose.
struct StopExecutor: NodeExecutor {
    var isInstant: Bool { true }
    func execute(_ context: NodeContext) async -> NodeOutcome {
        let succeeded: Bool
        do throws(ParameterError) { succeeded = try context.parameters.string("status") == "succeeded" } catch { return .failed(NodeFailure(error)) }
        // Not a default of the parameter: what is said when no message is, which depends on how the run ends.
        let message = context.input["message"]?.renderedText ?? (succeeded ? "stopped" : "stopped as failed")
        return .stop(succeeded: succeeded, message: message)
    }
}
