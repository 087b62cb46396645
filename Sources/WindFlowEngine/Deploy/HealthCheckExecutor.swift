import CurlHTTP
import Foundation
import WindFlowCore

/// `windflow.health_check`: the containers' states and health checks, plus HTTP probes, for one service, a stack or
/// everything WindFlow deployed; a summary and a report file.
struct HealthCheckExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let driver: any DeploymentDriver
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext, scope: String, detailed: Bool, reportFolder: String
        do throws(ParameterError) {
            node = try DeploymentContext(settings: settings, context: context)
            (scope, detailed, reportFolder) = (try node.parameters.string("scope"), try node.parameters.bool("detailed"),
                                               try node.parameters.string("report_dir"))
        } catch {
            return .failed(NodeFailure(error))
        }
        var selector = scope == "all_services" ? [:] : node.selector
        if scope == "service" {
            guard let service = node.string("service_id") else {
                return .failed(NodeFailure(.validation, "service_id is required for scope: service", retryable: false))
            }
            selector[DeploymentLabels.service] = service
        }
        do throws(DeploymentError) {
            let listed = try await driver.containers(labelled: selector)
                .filter { $0.service != nil && !$0.name.hasSuffix(StackDeployer.previousSuffix) }
            var containers: [ContainerInfo] = []
            for container in listed { containers.append(try await driver.inspect(container.id)) }
            var problems: [String] = []
            var unhealthy: [JSONValue] = []
            var services: [String: JSONValue] = [:]
            for (service, group) in Dictionary(grouping: containers, by: { Self.serviceName($0) }).sorted(by: { $0.key < $1.key }) {
                let bad = group.filter { !$0.isRunning || $0.health == "unhealthy" }
                let state = bad.isEmpty ? (group.contains { $0.health == "starting" } ? "starting" : "healthy") : "unhealthy"
                var entry: [String: JSONValue] = [
                    "state": .string(state), "replicas": .int(group.count), "running": .int(group.filter(\.isRunning).count),
                ]
                if detailed {
                    entry["containers"] = .array(group.map { container in
                        ["name": .string(container.name), "state": .string(container.state), "health": container.health.map(JSONValue.string) ?? .null,
                         "last_check": container.healthOutput.map(JSONValue.string) ?? .null]
                    })
                }
                services[service] = .object(entry)
                for container in bad {
                    let why = container.isRunning ? "health check failing\(container.healthOutput.map { ": \($0.prefix(160))" } ?? "")" : "\(container.state) (exit code \(container.exitCode ?? -1))"
                    problems.append("\(container.name): \(why)")
                }
                if !bad.isEmpty { unhealthy.append(.string(service)) }
            }
            if scope == "service", containers.isEmpty {
                problems.append("\(selector[DeploymentLabels.service] ?? ""): no containers")
                unhealthy.append(.string(selector[DeploymentLabels.service] ?? ""))
            }
            var probes: [JSONValue] = []
            for probe in node.parameters.items("http_probes") {
                guard let url = probe["url"]?.stringValue else { continue }
                let expected: Int
                do throws(ParameterError) { expected = try probe.int("expected_status") } catch {
                    problems.append("\(redactedURL(url)): \(error)")
                    unhealthy.append(.string(redactedURL(url)))
                    continue
                }
                var result: [String: JSONValue] = ["url": .string(redactedURL(url)), "expected_status": .int(expected)]
                do {
                    let response = try await client.perform(CurlRequest(url: url, timeout: 10, followRedirects: false))
                    result["status"] = .int(response.status)
                    result["elapsed_ms"] = .int(Int(response.elapsed * 1000))
                    result["ok"] = .bool(response.status == expected)
                    if response.status != expected { problems.append("\(redactedURL(url)): answered \(response.status), expected \(expected)") }
                } catch {
                    result["ok"] = false
                    result["error"] = .string("\(error)")
                    problems.append("\(redactedURL(url)): \(error)")
                }
                if result["ok"] == false { unhealthy.append(.string(redactedURL(url))) }
                probes.append(.object(result))
            }
            let summary = problems.isEmpty ? "all healthy (\(containers.count) container(s), \(probes.count) probe(s))" : problems.joined(separator: "\n")
            let report = try writeReport(node: node, folder: reportFolder, scope: scope, services: services, probes: probes, summary: summary)
            context.log(problems.isEmpty ? summary : "\(problems.count) problem(s): " + problems.joined(separator: "; "))
            return .succeeded([
                "healthy": .bool(problems.isEmpty), "summary": .string(summary), "unhealthy": .array(unhealthy),
                "services": .object(services), "probes": .array(probes), "report_file": .string(report),
                "checked_at": .string(node.iso8601(context.now)),
            ], branch: nil)
        } catch {
            return .failed(error)
        }
    }

    static func serviceName(_ container: ContainerInfo) -> String {
        let service = container.service ?? container.name
        guard let stack = container.labels[DeploymentLabels.stack], let environment = container.labels[DeploymentLabels.environment] else { return service }
        return "\(stack)/\(environment)/\(service)"
    }

    private func writeReport(node: DeploymentContext, folder reportFolder: String, scope: String, services: [String: JSONValue], probes: [JSONValue], summary: String) throws(DeploymentError) -> String {
        let folder = settings.resolve(reportFolder)
        let name = "health-\(node.stackID.map { "\($0)-\(node.environment)" } ?? "all")-\(VolumeBackup.stamp(node.context.now)).json"
        let path = (folder as NSString).appendingPathComponent(name)
        let report: JSONValue = [
            "scope": .string(scope), "checked_at": .string(node.iso8601(node.context.now)), "summary": .string(summary),
            "services": .object(services), "probes": .array(probes),
        ]
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(report.prettyJSONText.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DeploymentError(.stack, "cannot write the health report \(path): \(error.localizedDescription)")
        }
        return path
    }
}
