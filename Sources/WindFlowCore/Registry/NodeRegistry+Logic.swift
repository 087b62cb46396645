extension NodeRegistry {
    /// Control flow: branching, iteration, joining, waiting and stopping.
    static let logicTypes: [NodeType] = [
        NodeType(
            id: "logic.condition", category: .logic, displayName: "Condition",
            summary: "Follows its true or its false output depending on a condition; the other side is skipped.",
            icon: "question",
            parameters: [
                ParameterSpec(
                    "condition", .condition, required: true, description: "What decides the branch.",
                    example: "{{ collect_metrics.cpu_usage > 80 }}")
            ],
            outputs: [OutputField("result", .boolean, "The condition's value.")],
            branches: .named(["true", "false"])),
        NodeType(
            id: "logic.switch", category: .logic, displayName: "Switch",
            summary: "Follows the output of the first case that matches, or default.", icon: "split",
            parameters: [
                ParameterSpec(
                    "value", .any, description: "The value compared with each case's equals.",
                    example: "{{ trigger.environment }}"),
                ParameterSpec(
                    "cases", .list(of: .object(switchCaseFields)), required: true,
                    description: "Cases in order; each has a name (its output) and equals or condition.",
                    example: [["name": "production", "equals": "production"]]),
            ],
            outputs: [
                OutputField("branch", .string, "The name of the output taken."),
                OutputField("value", .any, "The value compared."),
            ],
            branches: .cases(parameter: "cases", fallback: "default")),
        NodeType(
            id: "logic.loop", category: .logic, displayName: "Loop",
            summary: "Runs the nodes on its loop output once per item, then continues on done with the results.",
            icon: "repeat",
            parameters: [
                ParameterSpec(
                    "items", .any, required: true, description: "The list to iterate; inside, item and index.",
                    example: "{{ trigger.services }}"),
                ParameterSpec(
                    "mode", .string, default: "sequential", allowed: ["sequential", "parallel"],
                    description: "One item after another, or several at once."),
                ParameterSpec(
                    "max_parallel", .integer, default: 4, min: 1, max: 64,
                    description: "Items run at once in parallel mode."),
                ParameterSpec(
                    "max_items", .integer, default: 1000, min: 1, max: 100_000,
                    description: "Refuse lists longer than this."),
            ],
            outputs: [
                OutputField("results", .list, "Per item, the outputs of the loop's body."),
                OutputField("count", .integer, "How many items ran."),
            ],
            branches: .named(["loop", "done"])),
        NodeType(
            id: "logic.merge", category: .logic, displayName: "Merge",
            summary: "Joins branches: waits for all, takes the first, or appends their outputs.", icon: "merge",
            parameters: [
                ParameterSpec(
                    "mode", .string, default: "wait_all", allowed: ["wait_all", "first", "append"],
                    description: "wait_all: one object keyed by node id; first: the first to finish; append: a list.")
            ],
            outputs: [
                OutputField("inputs", .object, "Each incoming node's output, by node id."),
                OutputField("items", .list, "The incoming outputs in arrival order."),
                OutputField("first", .string, "The node that finished first."),
            ]),
        NodeType(
            id: "logic.wait", category: .logic, displayName: "Wait",
            summary: "Pauses for a duration or until a time; the run is parked durably and survives restarts.",
            icon: "hourglass",
            parameters: [
                ParameterSpec(
                    "duration", .duration, min: 0, max: 31_536_000,
                    description: "How long to wait: seconds, or 90s, 5m, 1h30m, 2d.", example: 300),
                ParameterSpec(
                    "until", .string, description: "An ISO 8601 time to wait until.",
                    example: "{{ trigger.release_at }}"),
            ],
            requiresOneOf: [["duration", "until"]],
            outputs: [
                OutputField("waited_until", .string, "When the wait ended (ISO 8601)."),
                OutputField("waited_seconds", .number, "How long it waited."),
            ]),
        NodeType(
            id: "logic.stop", category: .logic, displayName: "Stop",
            summary: "Ends the run on purpose, as succeeded or failed, with a message.", icon: "stop",
            parameters: [
                ParameterSpec(
                    "status", .string, default: "succeeded", allowed: ["succeeded", "failed"],
                    description: "How the run ends."),
                ParameterSpec(
                    "message", .string, description: "Why; shown with the execution.",
                    example: "Nothing to deploy"),
            ]),
    ]

    private static let switchCaseFields: [ParameterSpec] = [
        ParameterSpec("name", .string, required: true, description: "The output this case leads to."),
        ParameterSpec("equals", .any, description: "Taken when value equals this."),
        ParameterSpec("condition", .condition, description: "Taken when this is true."),
    ]
}
