import Foundation
import Testing

@Suite(.serialized)
struct ValidateCommandTests {
    let seed = "Tests/WindFlowCoreTests/Fixtures/"

    @Test func seedTemplate2PrintsItsTwoProblemsWithLinesAndExits1() async throws {
        let result = try await windflow(["validate", seed + "seed-template-2-auto-scaling.yaml"])
        #expect(result.status == 1)
        let file = seed + "seed-template-2-auto-scaling.yaml"
        #expect(result.stdout == """
            \(file): invalid, 2 errors, 0 warnings
              \(file):42: error [unknown_edge_target] edges[6].target: the edge from 'rollback_if_needed' (true) leads to 'emergency_rollback', which is not a node of this workflow
                  fix: define a node with id 'emergency_rollback' or remove the edge
              \(file):43: error [unknown_edge_target] edges[7].target: the edge from 'rollback_if_needed' (false) leads to 'notify_scaling_success', which is not a node of this workflow
                  fix: define a node with id 'notify_scaling_success' or remove the edge

            """)
    }

    @Test func validFilesExit0() async throws {
        let result = try await windflow(["validate", seed + "seed-template-1-deploy-with-tests.yaml", seed + "seed-template-3-maintenance.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == "\(seed)seed-template-1-deploy-with-tests.yaml: valid\n\(seed)seed-template-3-maintenance.yaml: valid\n")
    }

    @Test func jsonFormatIsMachineReadable() async throws {
        let result = try await windflow(["validate", "--format", "json", seed + "seed-template-2-auto-scaling.yaml"])
        #expect(result.status == 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        let report = try #require(parsed?.first)
        #expect(report["valid"] as? Bool == false)
        #expect(report["errors"] as? Int == 2)
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.map { $0["code"] as? String } == ["unknown_edge_target", "unknown_edge_target"])
        #expect(problems.map { $0["line"] as? Int } == [42, 43])
        #expect(problems.first?["node_id"] as? String == "rollback_if_needed")
    }

    @Test func syntaxErrorsNameTheFileAndLine() async throws {
        let result = try await windflow(["validate", "-"], input: "workflow:\n  name: x\n  nodes: [\n")
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("<stdin>: invalid, 1 error, 0 warnings\n  <stdin>:4: error [syntax_error]"))
    }

    @Test func missingFilesAreReportedAndFail() async throws {
        let result = try await windflow(["validate", "no/such/file.yaml"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no/such/file.yaml: no such file"))
    }

    @Test func strictTurnsWarningsIntoFailure() async throws {
        let text = "name: t\nnodes:\n  - {id: s, type: trigger.manual}\n  - {id: a, type: logic.stop, configuration: {mesage: x}}\n"
        let lenient = try await windflow(["validate", "-"], input: text)
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("valid, 0 errors, 1 warning"))
        #expect(lenient.stdout.contains("fix: did you mean 'message'?"))
        let strict = try await windflow(["validate", "--strict", "-"], input: text)
        #expect(strict.status == 1)
    }

    @Test func everyTemplateValidatesWithoutWarnings() async throws {
        let directory = repositoryRoot.appendingPathComponent("Templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 15)
        let result = try await windflow(["validate", "--strict"] + files.map { "Templates/\($0)" })
        #expect(result.status == 0, "\(result.stdout)")
    }
}
