import Hummingbird
import WindFlowCore
import WindFlowEngine
import WindFlowStore

/// `/metrics` in the Prometheus text format: executions by status and by trigger, queue depth, node durations,
/// model calls. Every figure is read from the store at scrape time, so any process sharing a store answers the same
/// (a Prometheus client library such as swift-prometheus keeps counters in the process that counts, which several
/// processes on one store would each see only a part of; for a few dozen lines read from the store, it would add a
/// registry and nothing the text format needs). The `windflow_worker_*` lines are this process's own, labelled with its
/// worker name: each node of a cluster answers them for itself.
struct MetricsRoute {
    let store: any WindFlowStorage
    let activity: WorkerActivity
    static let buckets: [Double] = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300]

    func register(on router: Router<BasicRequestContext>) {
        router.get("metrics") { _, _ in
            let figures = try await store.metrics()
            var lines = ["# HELP windflow_executions Executions in the store, by status.", "# TYPE windflow_executions gauge"]
            for (status, count) in figures.byStatus.sorted(by: { $0.key < $1.key }) { lines.append("windflow_executions{status=\"\(PrometheusText.labelValue(status))\"} \(count)") }
            lines += ["# HELP windflow_executions_by_trigger Executions in the store, by trigger type.", "# TYPE windflow_executions_by_trigger gauge"]
            for (trigger, count) in figures.byTrigger.sorted(by: { $0.key < $1.key }) {
                lines.append("windflow_executions_by_trigger{trigger=\"\(PrometheusText.labelValue(trigger))\"} \(count)")
            }
            lines += ["# HELP windflow_queue_depth Executions waiting for a worker.", "# TYPE windflow_queue_depth gauge",
                      "windflow_queue_depth \(figures.queueDepth)"]
            lines += ["# HELP windflow_node_duration_seconds Node attempt durations (latest 100,000).", "# TYPE windflow_node_duration_seconds histogram"]
            for bound in Self.buckets {
                lines.append("windflow_node_duration_seconds_bucket{le=\"\(bound)\"} \(figures.durations.filter { $0 <= bound }.count)")
            }
            lines.append("windflow_node_duration_seconds_bucket{le=\"+Inf\"} \(figures.durations.count)")
            lines.append("windflow_node_duration_seconds_sum \(figures.durations.reduce(0, +))")
            lines.append("windflow_node_duration_seconds_count \(figures.durations.count)")
            let (running, taken) = activity.figures
            let worker = "worker=\"\(PrometheusText.labelValue(activity.instance))\""
            lines += ["# HELP windflow_worker_slots Executions this process runs at the same time at most.", "# TYPE windflow_worker_slots gauge",
                      "windflow_worker_slots{\(worker)} \(activity.workers)",
                      "# HELP windflow_worker_running Executions this process runs now.", "# TYPE windflow_worker_running gauge",
                      "windflow_worker_running{\(worker)} \(running)",
                      "# HELP windflow_worker_taken_total Executions this process took from the queue since it started.",
                      "# TYPE windflow_worker_taken_total counter", "windflow_worker_taken_total{\(worker)} \(taken)"]
            let calls = try await store.llmCallTotals()
            lines += ["# HELP windflow_llm_calls_total Calls to language models, by provider and outcome.", "# TYPE windflow_llm_calls_total counter"]
            for call in calls { lines.append("windflow_llm_calls_total{provider=\"\(PrometheusText.labelValue(call.provider))\",outcome=\"\(PrometheusText.labelValue(call.outcome))\"} \(call.calls)") }
            lines += ["# HELP windflow_llm_tokens_total Tokens sent to and received from language models.", "# TYPE windflow_llm_tokens_total counter"]
            for provider in Set(calls.map(\.provider)).sorted() {
                let mine = calls.filter { $0.provider == provider }
                lines.append("windflow_llm_tokens_total{provider=\"\(PrometheusText.labelValue(provider))\",direction=\"prompt\"} \(mine.map(\.promptTokens).reduce(0, +))")
                lines.append("windflow_llm_tokens_total{provider=\"\(PrometheusText.labelValue(provider))\",direction=\"completion\"} \(mine.map(\.completionTokens).reduce(0, +))")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
        }
    }
}
