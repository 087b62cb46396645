import Foundation
import WindFlowCore

// `WINDFLOW_BENCH_ONLY=service` runs the webhook load benchmark only.
if ProcessInfo.processInfo.environment["WINDFLOW_BENCH_ONLY"] == "service" {
    print(try await ServiceBenchmarks.webhookLoad(requests: 10_000, concurrency: 64, workers: 8))
    exit(0)
}

// `WINDFLOW_BENCH_ONLY=curl` runs the HTTP client benchmarks only.
if ProcessInfo.processInfo.environment["WINDFLOW_BENCH_ONLY"] == "curl" {
    let nginx = try CurlBenchmarks.startNginx()
    let url = "http://127.0.0.1:\(nginx.port)/"
    _ = try await CurlBenchmarks.throughput(url: url, total: 500, concurrency: 8)
    let single = try await CurlBenchmarks.throughput(url: url, total: 5000, concurrency: 1)
    let parallel = try await CurlBenchmarks.throughput(url: url, total: 50_000, concurrency: 64)
    nginx.stop()
    print(String(format: "libcurl client against nginx: %.0f requests/s at concurrency 1, %.0f at concurrency 64", single, parallel))
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/test-peers/http_server.py").path]
    let pipe = Pipe()
    server.standardOutput = pipe
    try server.run()
    let port = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let perRequest = try await CurlBenchmarks.memoryPerRequest(slowURL: "http://127.0.0.1:\(port)/slow?seconds=2", count: 500)
    kill(server.processIdentifier, SIGKILL)
    print(String(format: "memory per request in flight: %.1f KiB (500 held open)", perRequest))
    exit(0)
}

// `WINDFLOW_BENCH_ONLY=advice` times the optimization analysis over 1,000,000 stored node runs.
if ProcessInfo.processInfo.environment["WINDFLOW_BENCH_ONLY"] == "advice" {
    print(try AdviceBenchmarks.optimizer(executions: 100_000).0.summary)
    exit(0)
}

// `WINDFLOW_BENCH_ONLY=probe` times bare store commits only (for profiling).
if ProcessInfo.processInfo.environment["WINDFLOW_BENCH_ONLY"] == "probe" {
    print(String(format: "store commit of one node transition: %.3f ms", try CommitProbe.run()))
    exit(0)
}

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

// Engine: whole executions on SQLite, every transition committed.
func summary(_ name: String, _ samples: [Duration], perNode nodes: Int) -> String {
    func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
    let median = ms(samples[samples.count / 2]), p95 = ms(samples[min(samples.count - 1, samples.count * 95 / 100)])
    return String(format: "%@: median %.3f ms (%.4f ms per node), p95 %.3f ms (%d runs)", name, median, median / Double(nodes), p95, samples.count)
}
let runs = quick ? 3 : 200
let chain40 = try await EngineBenchmarks.measureRuns("chain", workflow: EngineBenchmarks.chain(40, type: "logic.condition", configuration: "{condition: true}"), iterations: runs)
print(summary("40-node chain of in-process nodes", chain40, perNode: 40))
let fan10 = try await EngineBenchmarks.measureRuns("fan", workflow: EngineBenchmarks.fan(10), iterations: runs)
print(summary("10 parallel in-process nodes + merge", fan10, perNode: 11))
let scripts = try await EngineBenchmarks.measureRuns(
    "scripts", workflow: EngineBenchmarks.chain(40, type: "integration.script", configuration: "{script: \"true\"}"),
    iterations: quick ? 1 : 20, warmup: 1)
print(summary("40-node chain of integration.script (bash true)", scripts, perNode: 40))
let parkedCount = quick ? 200 : 10_000
let parked = try await EngineBenchmarks.parkedWaits(parkedCount)
print(String(format: "%d executions parked in waits: %.1f s to park them, resident memory %.1f MB (%.1f MB before), %d durable timers",
             parkedCount, parked.seconds, parked.residentMB, parked.baselineMB, parked.timers))
print(String(format: "store commit of one node transition: %.3f ms", try CommitProbe.run()))
