import Foundation
import WindFlowCore

// Each benchmark prints its median, p95 and minimum over many runs; docs/PERFORMANCE.md records them.
let workflow = GeneratedWorkflow.make(nodes: 1000)
let validator = Validator()
let report = validator.validate(workflow)
guard report.isValid else {
    print("the generated workflow is not valid: \(report.problems.prefix(5))")
    exit(1)
}
print("Workflow: \(workflow.nodes.count) nodes, \(workflow.edges.count) edges, \(report.problems.count) problems")

/// `WINDFLOW_BENCH_QUICK=1` runs each benchmark a few times only, for profiling under valgrind.
let quick = ProcessInfo.processInfo.environment["WINDFLOW_BENCH_QUICK"] != nil
let validation = Measurement.run("validate 1,000-node workflow", warmup: quick ? 1 : 20, iterations: quick ? 3 : 300) {
    _ = validator.validate(workflow)
}
print(validation.summary)

let yaml = WorkflowCodec.yaml(workflow)
let loading = Measurement.run("load 1,000-node YAML (\(yaml.utf8.count / 1024) KiB)", warmup: quick ? 0 : 5, iterations: quick ? 1 : 50) {
    _ = try! WorkflowCodec.load(yaml)
}
print(loading.summary)

let expression = try ExpressionParser.parse("collect_metrics.cpu_usage > 80 or collect_metrics.request_rate > 1000")
let scope = ExpressionScope(["collect_metrics": ["cpu_usage": 42.5, "request_rate": 1200]])
let evaluation = Measurement.run("evaluate the seed's scaling condition ×1,000", warmup: quick ? 0 : 20, iterations: quick ? 1 : 300) {
    for _ in 0..<1000 { _ = try! expression.evaluate(in: scope) }
}
print(evaluation.summary)
