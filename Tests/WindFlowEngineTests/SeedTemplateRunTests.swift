import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// The seed's templates 1 and 3 run end to end, with script nodes standing in for the actions whose executors come
/// later: each stand-in prints the configuration it received (expressions rendered) and outputs the fields its node
/// type declares.
@Suite(.serialized)
struct SeedTemplateRunTests {
    static func fixture(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Tests/WindFlowCoreTests/Fixtures/\(name)"), encoding: .utf8)
    }

    /// Replaces every node the engine cannot run yet with a script that stands in for it.
    static func withStandIns(_ workflow: Workflow, scripts: [String: String] = [:]) -> Workflow {
        var copy = workflow
        for index in copy.nodes.indices {
            let node = copy.nodes[index]
            guard let type = NodeRegistry.standard.type(node.type), !type.isTrigger else { continue }
            if let script = scripts[node.id] {
                copy.nodes[index].configuration["script"] = .string(script)
                continue
            }
            // Only logic and scripts run for real here; every action and integration gets a stand-in.
            guard !node.type.hasPrefix("logic."), node.type != "integration.script" else { continue }
            var outputs: [String: JSONValue] = [:]
            for field in type.outputs {
                switch field.type {
                case .string: outputs[field.name] = .string(field.name == "endpoint" ? "http://127.0.0.1:8080" : "\(node.id)-\(field.name)")
                case .integer, .number: outputs[field.name] = 1
                case .boolean: outputs[field.name] = true
                case .list: outputs[field.name] = []
                case .object, .any: outputs[field.name] = [:]
                }
            }
            var environment: [String: JSONValue] = [:]
            for (key, value) in node.configuration { environment["CONFIG_" + key.uppercased()] = value.stringValue.map(JSONValue.string) ?? .string(value.jsonText) }
            let names = node.configuration.keys.sorted().map { "\($0)=$CONFIG_\($0.uppercased())" }.joined(separator: " ")
            copy.nodes[index] = WorkflowNode(
                id: node.id, type: "integration.script", name: "stand-in for \(node.type)",
                configuration: [
                    "env": .object(environment),
                    "script": .string("echo \"\(node.type): \(names)\"\ncat > \"$WINDFLOW_OUTPUT\" <<'JSON'\n\(JSONValue.object(outputs).jsonText)\nJSON\n"),
                ],
                errorHandling: node.errorHandling, retryCount: node.retryCount, retry: node.retry, timeout: node.timeout)
        }
        return copy
    }

    @Test func template1DeploysWithTestsEndToEnd() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let seed = try WorkflowCodec.load(try Self.fixture("seed-template-1-deploy-with-tests.yaml")).workflow
        let workflow = Self.withStandIns(seed, scripts: ["run_tests": "echo \"Running tests...\"\necho ok"])
        #expect(Validator().validate(workflow).isValid)
        let engine = box.engine()
        let record = try await engine.enqueue(workflow, input: ["stack_id": "shop"])
        #expect(try await engine.runToEnd(record.id) == .finished(.succeeded, nil))
        let runs = try box.store.nodeRuns(of: record.id)
        #expect(runs.map(\.nodeKey) == ["validate_config", "run_tests", "deploy_staging", "smoke_tests", "deploy_production", "notify_success"])
        #expect(runs.allSatisfy { $0.status == .succeeded })
        // Expressions flowed: the smoke test got the staging endpoint, the notification the stack id.
        #expect(runs.last("smoke_tests")?.output?["stdout"]?.stringValue?.contains("url=http://127.0.0.1:8080/health") == true)
        #expect(runs.last("notify_success")?.output?["stdout"]?.stringValue?.contains("message=Déploiement réussi: shop") == true)
        #expect(runs.last("deploy_production")?.output?["stdout"]?.stringValue?.contains("environment=production") == true)
    }

    @Test func template3RunsMaintenanceEndToEnd() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let seed = try WorkflowCodec.load(try Self.fixture("seed-template-3-maintenance.yaml")).workflow
        let workflow = Self.withStandIns(seed, scripts: ["cleanup_old_images": "echo docker image prune -f\necho docker system prune -f"])
        let engine = box.engine()
        let record = try await engine.enqueue(workflow)
        #expect(try box.store.execution(record.id)?.triggerType == "trigger.schedule")
        #expect(try await engine.runToEnd(record.id) == .finished(.succeeded, nil))
        let runs = try box.store.nodeRuns(of: record.id)
        #expect(runs.map(\.nodeKey) == ["backup_databases", "cleanup_old_images", "update_certificates", "health_check_all", "generate_report"])
        let report = try #require(runs.last("generate_report")?.output?["stdout"]?.stringValue)
        #expect(report.contains("attachments=[\"backup_databases-backup_file\",\"health_check_all-report_file\"]"))
    }
}
