import Foundation
import Testing

@Suite(.serialized)
struct OtherCommandTests {
    let seed = "Tests/WindFlowCoreTests/Fixtures/"

    @Test func versionIsPrinted() async throws {
        let result = try await windflow(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "0.1.0\n")
    }

    @Test func registryListsEveryTypeByCategory() async throws {
        let result = try await windflow(["registry"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "Triggers")
        #expect(lines.contains { $0.hasPrefix("  integration.http ") && $0.contains("Sends an HTTP request") })
        #expect(lines.filter { $0.hasPrefix("  ") }.count == 25)
    }

    @Test func registryDescribesOneType() async throws {
        let result = try await windflow(["registry", "windflow.scale_service"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("scale_factor (number, ≥ 0.01, ≤ 100)"))
        #expect(result.stdout.contains("Set at least one of: replicas, scale_factor."))
        #expect(result.stdout.contains("previous_replicas (integer)"))
        let json = try await windflow(["registry", "logic.condition", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["branches"] as? [String] == ["true", "false"])
    }

    @Test func registrySuggestsForAnUnknownType() async throws {
        let result = try await windflow(["registry", "integration.htp"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("'integration.htp' is not a known node type; did you mean 'integration.http'?"))
    }

    @Test func graphDrawsMermaidAndDot() async throws {
        let mermaid = try await windflow(["graph", seed + "seed-template-2-auto-scaling.yaml"])
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.hasPrefix("flowchart TD\n    n0_trigger([\"trigger<br/>trigger.schedule\"])\n"))
        #expect(mermaid.stdout.contains("n2_analyze_load{\"analyze_load<br/>logic.condition\"}"))
        #expect(mermaid.stdout.contains("n2_analyze_load -->|true| n3_scale_up"))
        let dot = try await windflow(["graph", "--format", "dot", seed + "seed-template-1-deploy-with-tests.yaml"])
        #expect(dot.stdout.hasPrefix("digraph \"Déploiement avec Tests\" {"))
        #expect(dot.stdout.contains("\"deploy_staging\" -> \"smoke_tests\";"))
        #expect(dot.stdout.hasSuffix("}\n"))
    }

    @Test func formatWritesTheCanonicalFormWhichReadsBackTheSame() async throws {
        let yaml = try await windflow(["format", seed + "seed-template-2-auto-scaling.yaml"])
        #expect(yaml.status == 0)
        #expect(yaml.stdout.contains("  edges:\n"))
        let again = try await windflow(["format", "-"], input: yaml.stdout)
        #expect(again.stdout == yaml.stdout)
        let json = try await windflow(["format", "--to", "json", "-"], input: yaml.stdout)
        let back = try await windflow(["format", "-"], input: json.stdout)
        #expect(back.stdout == yaml.stdout)
    }

    @Test func schemaIsValidJSONSchemaThatAcceptsTheTemplates() async throws {
        let result = try await windflow(["schema"])
        #expect(result.status == 0)
        let schema = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(schema?["$schema"] as? String == "http://json-schema.org/draft-07/schema#")
        // Check with an independent implementation when python3-jsonschema is installed (.ci/run installs it).
        let schemaFile = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-schema-\(getpid()).json")
        try Data(result.stdout.utf8).write(to: schemaFile)
        defer { try? FileManager.default.removeItem(at: schemaFile) }
        let checker = Process()
        checker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        checker.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/check-schema.py").path, schemaFile.path,
                             seed + "seed-template-1-deploy-with-tests.yaml", seed + "seed-template-3-maintenance.yaml"]
            + (try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Templates").path)
                .filter { $0.hasSuffix(".yaml") }.map { "Templates/\($0)" })
        checker.currentDirectoryURL = repositoryRoot
        let output = Pipe()
        checker.standardOutput = output
        checker.standardError = output
        try checker.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        checker.waitUntilExit()
        #expect(checker.terminationStatus == 0, "\(text)")
    }
}
