import CurlHTTP
import Foundation
import WindFlowCore

/// `integration.monitoring`: a metric from a Prometheus text endpoint, or a query to a Prometheus server.
struct MonitoringExecutor: NodeExecutor {
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        guard let url = context.input["url"]?.stringValue else {
            return .failed(NodeFailure(.validation, "url is required", retryable: false))
        }
        let source: String, timeout: Double, aggregate: String
        do throws(ParameterError) {
            let parameters = context.parameters
            (source, timeout, aggregate) = (try parameters.string("source"), try parameters.seconds("timeout"), try parameters.string("aggregate"))
        } catch {
            return .failed(NodeFailure(error))
        }
        let wanted = (context.input["labels"]?.objectValue ?? [:]).mapValues(\.renderedText)
        var samples: [(labels: [String: String], value: Double)] = []
        var names: [String] = []
        let requestURL: String
        if source == "prometheus_query" {
            guard let query = context.input["query"]?.stringValue else {
                return .failed(NodeFailure(.validation, "query is required for source prometheus_query", retryable: false))
            }
            requestURL = HTTPExecutor.adding(query: ["query": .string(query)], to: url.hasSuffix("/api/v1/query") ? url : url + "/api/v1/query")
        } else {
            requestURL = url
        }
        let response: CurlResponse
        do {
            response = try await client.perform(CurlRequest(url: requestURL, headers: [("Accept", "text/plain, application/json")], timeout: timeout))
        } catch let error as CurlError {
            return .failed(HTTPExecutor.failure(for: error, method: "GET"))
        } catch {
            return .failed(NodeFailure(.internal, "\(error)"))
        }
        guard (200..<300).contains(response.status) else {
            return .failed(NodeFailure(.http, "GET \(redactedURL(requestURL)) answered \(response.status)",
                                       retryable: response.status >= 500 || response.status == 429,
                                       details: FailureDetails(httpStatus: response.status, subject: URL(string: requestURL)?.host)))
        }
        if source == "prometheus_query" {
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: response.body), json["status"] == "success" else {
                return .failed(NodeFailure(.validation, "the Prometheus API did not answer status: success", retryable: false))
            }
            for entry in json["data"]?["result"]?.arrayValue ?? [] {
                let labels = (entry["metric"]?.objectValue ?? [:]).mapValues(\.renderedText)
                if let text = entry["value"]?.arrayValue?.last?.stringValue, let value = Double(text) { samples.append((labels, value)) }
            }
        } else {
            let metric = context.input["metric"]?.stringValue
            let parsed = PrometheusText.parse(String(decoding: response.body, as: UTF8.self))
            names = Array(Set(parsed.map(\.name))).sorted()
            for sample in parsed where metric == nil || sample.name == metric {
                samples.append((sample.labels, sample.value))
            }
        }
        samples = samples.filter { sample in wanted.allSatisfy { sample.labels[$0.key] == $0.value } }
        guard !samples.isEmpty else {
            let what = context.input["metric"]?.stringValue ?? context.input["query"]?.stringValue ?? "the metric"
            return .failed(NodeFailure(.validation, "no sample of \(what) matches at \(redactedURL(requestURL))", retryable: false,
                                       details: FailureDetails(errorClass: FailureClass(rawValue: "no_sample"), subject: what, alternatives: names.isEmpty ? nil : Array(names.prefix(200)))))
        }
        let values = samples.map(\.value)
        let value: Double
        switch aggregate {
        case "avg": value = values.reduce(0, +) / Double(values.count)
        case "max": value = values.max()!
        case "min": value = values.min()!
        case "none": value = values[0]
        default: value = values.reduce(0, +)
        }
        return .succeeded([
            "value": .double(value),
            "values": .array(samples.map { ["labels": .object($0.labels.mapValues(JSONValue.string)), "value": .double($0.value)] }),
            "timestamp": .string(ExecutionStateMachine.iso8601(context.now)),
        ], branch: nil)
    }
}
