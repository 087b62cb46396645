import CurlHTTP
import Foundation
import Testing
import TestSupport
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// A scratch store, a stacks folder and the real Docker daemon, with stack names unique to the test so that tests
/// never see each other's containers. `remove()` deletes what the test deployed.
struct DeploymentHarness {
    let box: Sandbox
    let settings: DeploymentSettings
    let driver: DockerEngineDriver
    let stack: String

    /// Two services on the busybox image: `web` serves /www (the `site` volume, with the `data` volume under
    /// /www/data) and counts fake requests in /www/metrics; `db` writes /data/state once. Both have health checks;
    /// `${HEALTH_PATH:-health}` lets a test break web's.
    static let stackFile = """
        services:
          web:
            image: windflow/busybox:test
            command: ["sh", "-c", "i=0; while true; do i=$((i+10)); echo \\"http_requests_total $i\\" > /www/metrics.tmp; mv /www/metrics.tmp /www/metrics; sleep 0.2; done & exec httpd -f -p 80 -h /www"]
            ports: ["80"]
            volumes: ["site:/www", "data:/www/data"]
            healthcheck: {test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/${HEALTH_PATH:-health}"], interval: 1s, timeout: 2s, retries: 2}
            labels: {team: web}
            depends_on: [db]
          db:
            image: windflow/busybox:test
            command: ["sh", "-c", "[ -f /data/state ] || date +%s%N > /data/state; exec sleep 86400"]
            volumes: ["data:/data"]
            healthcheck: {test: ["CMD", "test", "-f", "/data/state"], interval: 1s, timeout: 2s, retries: 3}
        volumes: {site: {}, data: {}}
        """

    init(stackFile: String = Self.stackFile) throws {
        let host = try DockerDaemon.host.get()
        box = try Sandbox()
        let stacks = box.path("stacks")
        try FileManager.default.createDirectory(atPath: stacks, withIntermediateDirectories: true)
        stack = "s" + UUID().uuidString.prefix(6).lowercased()
        try stackFile.write(toFile: "\(stacks)/\(stack).yaml", atomically: true, encoding: .utf8)
        settings = DeploymentSettings(stacksDirectory: stacks, dataDirectory: box.directory.path, dockerHost: host)
        driver = DockerEngineDriver(host: host)
    }

    func engine(environment: [String: String] = [:]) -> WorkflowEngine {
        WorkflowEngine(runner: ExecutionRunner(
            store: box.store, executors: .standard(deployment: settings),
            configuration: EngineConfiguration(environment: environment, cancelPollInterval: 0.05)))
    }

    /// Runs a workflow whose nodes follow a manual trigger, in order.
    func run(_ nodes: String, engine: WorkflowEngine? = nil, input: JSONValue = [:]) async throws -> (ExecutionRecord, [NodeRunRecord]) {
        try await box.run("name: deploy-test\nnodes:\n  - {id: start, type: trigger.manual}\n" + nodes, input: input, engine: engine ?? self.engine())
    }

    func containers(_ environment: String, service: String? = nil) async throws -> [ContainerInfo] {
        var labels = [DeploymentLabels.stack: stack, DeploymentLabels.environment: environment]
        if let service { labels[DeploymentLabels.service] = service }
        return try await driver.containers(labelled: labels).filter { !$0.name.hasSuffix(StackDeployer.previousSuffix) }
    }

    /// GETs a URL on loopback and returns status and body.
    func get(_ url: String) async throws -> (Int, String) {
        let response = try await CurlClient.shared.perform(CurlRequest(url: url, timeout: 10))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Removes every container and volume of this test's stack, and the sandbox.
    func remove() async {
        for container in (try? await driver.containers(labelled: [DeploymentLabels.stack: stack])) ?? [] {
            try? await driver.remove(container.id)
        }
        for environment in ["staging", "production", "test"] {
            let scope = StackScope(stack: stack, environment: environment)
            for volume in ["site", "data"] { try? await driver.removeVolume(scope.volume(volume)) }
            try? await driver.removeNetwork(scope.network)
        }
        box.remove()
    }
}
