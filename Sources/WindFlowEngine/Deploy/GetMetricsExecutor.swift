import CurlHTTP
import Foundation
import WindFlowCore

/// `windflow.get_metrics`: CPU and memory per service from the stats API (mean over its replicas), and the request
/// rate of services that expose Prometheus metrics. The top-level fields are the busiest service's.
struct GetMetricsExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext, wanted: Set<String>, sampleSeconds: Double, metricsPath: String
        do throws(ParameterError) {
            node = try DeploymentContext(settings: settings, context: context)
            (wanted, sampleSeconds, metricsPath) = (Set(try node.parameters.strings("metrics")), try node.parameters.seconds("sample_seconds"),
                                                    try node.parameters.string("metrics_path"))
        } catch {
            return .failed(NodeFailure(error))
        }
        do throws(DeploymentError) {
            let running = try await driver.containers(labelled: node.selector)
                .filter { $0.isRunning && $0.service != nil && !$0.name.hasSuffix(StackDeployer.previousSuffix) }
            let only = node.strings("services").map(Set.init)
            let chosen = running.filter { only?.contains($0.service ?? "") ?? true }
            guard !chosen.isEmpty else {
                let what = only.map { "services \($0.sorted().joined(separator: ", "))" } ?? "services"
                throw DeploymentError(.notFound, "no running containers of \(what)\(node.stackID.map { " in stack \($0) (\(node.environment))" } ?? "") on \(driver.address)")
            }
            let samples = try await stats(of: chosen)
            let rates = wanted.contains("request_rate")
                ? await requestRates(chosen, path: metricsPath, seconds: sampleSeconds) : [:]
            var services: [String: JSONValue] = [:]
            var busiest: (name: String, cpu: Double)?
            var highestMemory = 0.0
            var highestRate: Double?
            for (service, containers) in Dictionary(grouping: chosen, by: { $0.service ?? "" }) {
                let figures = containers.compactMap { samples[$0.id] }
                guard !figures.isEmpty else { continue }
                let cpu = figures.map(\.cpuPercent).reduce(0, +) / Double(figures.count)
                let memory = figures.map(\.memoryPercent).reduce(0, +) / Double(figures.count)
                var entry: [String: JSONValue] = [
                    "replicas": .int(containers.count), "cpu_usage": .double(Self.round(cpu)), "memory_usage": .double(Self.round(memory)),
                    "memory_bytes": .int(Int(figures.map(\.memoryBytes).reduce(0, +))),
                ]
                if let rate = rates[service] {
                    entry["request_rate"] = .double(Self.round(rate))
                    highestRate = max(highestRate ?? 0, rate)
                }
                services[service] = .object(entry)
                if busiest == nil || cpu > busiest!.cpu || (cpu == busiest!.cpu && service < busiest!.name) { busiest = (service, cpu) }
                highestMemory = max(highestMemory, memory)
            }
            var output: [String: JSONValue] = [
                "services": .object(services), "collected_at": .string(node.iso8601(context.now)),
                "service_id": busiest.map { .string($0.name) } ?? .null,
                "cpu_usage": .double(Self.round(busiest?.cpu ?? 0)), "memory_usage": .double(Self.round(highestMemory)),
            ]
            if wanted.contains("request_rate") { output["request_rate"] = .double(Self.round(highestRate ?? 0)) }
            context.log("busiest: \(busiest?.name ?? "-") at \(JSONValue.format(Self.round(busiest?.cpu ?? 0)))% CPU")
            return .succeeded(.object(output), branch: nil)
        } catch {
            return .failed(error)
        }
    }

    private func stats(of containers: [ContainerInfo]) async throws(DeploymentError) -> [String: ContainerStats] {
        let driver = self.driver
        let results = await withTaskGroup(of: (String, Result<ContainerStats, DeploymentError>).self) { group in
            for container in containers {
                group.addTask {
                    do throws(DeploymentError) { return (container.id, .success(try await driver.stats(container.id))) } catch { return (container.id, .failure(error)) }
                }
            }
            var all: [(String, Result<ContainerStats, DeploymentError>)] = []
            for await result in group { all.append(result) }
            return all
        }
        var samples: [String: ContainerStats] = [:]
        for (id, result) in results {
            switch result {
            case .success(let stats): samples[id] = stats
            case .failure(let error): throw error
            }
        }
        return samples
    }

    /// Requests per second per service: the growth of its `*requests_total` counters between two scrapes of its
    /// first replica's published port. Services without a published port or metrics are left out.
    private func requestRates(_ containers: [ContainerInfo], path: String, seconds: Double) async -> [String: Double] {
        var targets: [String: String] = [:]
        for container in containers where container.replica <= 1 || targets[container.service ?? ""] == nil {
            if let port = container.publishedPorts.filter({ $0.key.hasSuffix("/tcp") }).sorted(by: { $0.key < $1.key }).first?.value {
                targets[container.service ?? ""] = "http://127.0.0.1:\(port)\(path.hasPrefix("/") ? path : "/" + path)"
            }
        }
        guard !targets.isEmpty else { return [:] }
        let first = await scrape(targets)
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let second = await scrape(targets)
        var rates: [String: Double] = [:]
        for (service, before) in first {
            if let after = second[service] { rates[service] = max(0, after - before) / seconds }
        }
        return rates
    }

    private func scrape(_ targets: [String: String]) async -> [String: Double] {
        var totals: [String: Double] = [:]
        for (service, url) in targets {
            guard let response = try? await client.perform(CurlRequest(url: url, timeout: 5)), response.status == 200 else { continue }
            let samples = PrometheusText.parse(String(decoding: response.body, as: UTF8.self)).filter { $0.name.hasSuffix("requests_total") }
            if !samples.isEmpty { totals[service] = samples.map(\.value).reduce(0, +) }
        }
        return totals
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
