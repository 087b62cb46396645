import Foundation
import Testing
@testable import WindFlowCore

struct CodecTests {
    static let full = """
        workflow:
          name: Full
          description: Every field
          tags: [deploy, nightly]
          settings:
            timezone: Europe/Paris
            timeout: 1h
            max_parallel: 4
            error_workflow: alert-on-failure
          nodes:
            - id: start
              type: trigger.manual
              position: {x: 10, y: 20.5}
            - id: fetch
              name: Fetch status
              type: integration.http
              configuration:
                url: "{{ trigger.url }}/status"
                expected_status: [200, 204]
                headers: {Accept: application/json}
                timeout: 2.5
              error_handling: branch
              retry_count: 3
              retry: {initial_delay: 2s, factor: 3, max_delay: 1m, jitter: 0.5}
              timeout: 90s
              notes: "Talks to the status API"
            - id: failed
              type: logic.stop
              configuration: {status: failed, message: "down"}
              disabled: true
            - id: script
              type: integration.script
              configuration:
                script: |
                  echo one
                  echo "two"
          edges:
            - {source: start, target: fetch}
            - {source: fetch, target: failed, branch: error}
            - {source: fetch, target: script}
        """

    @Test func loadsEveryField() throws {
        let loaded = try WorkflowCodec.load(Self.full)
        #expect(loaded.problems.isEmpty, "\(loaded.problems)")
        let workflow = loaded.workflow
        #expect(workflow.tags == ["deploy", "nightly"])
        #expect(workflow.settings == WorkflowSettings(timezone: "Europe/Paris", timeout: 3600, maxParallel: 4, errorWorkflow: "alert-on-failure"))
        let fetch = try #require(workflow.node("fetch"))
        #expect(fetch.name == "Fetch status")
        #expect(fetch.errorHandling == .branch)
        #expect(fetch.retryCount == 3)
        #expect(fetch.retry == RetryPolicy(initialDelay: 2, factor: 3, maxDelay: 60, jitter: 0.5))
        #expect(fetch.timeout == 90)
        #expect(fetch.configuration["timeout"] == 2.5)
        #expect(fetch.configuration["expected_status"] == [200, 204])
        #expect(workflow.node("start")?.position == Position(x: 10, y: 20.5))
        #expect(workflow.node("failed")?.disabled == true)
        #expect(workflow.node("script")?.configuration["script"] == "echo one\necho \"two\"\n")
        #expect(workflow.edges[1] == Edge(source: "fetch", target: "failed", branch: "error"))
        #expect(try validate(Self.full).problems.isEmpty)
    }

    @Test func yamlRoundTripIsStableAndCanonical() throws {
        let first = try WorkflowCodec.load(Self.full).workflow
        let yaml = WorkflowCodec.yaml(first)
        let second = try WorkflowCodec.load(yaml)
        #expect(second.problems.isEmpty, "\(second.problems)")
        #expect(second.workflow == first)
        #expect(WorkflowCodec.yaml(second.workflow) == yaml)
        #expect(yaml.hasPrefix("workflow:\n  name: Full\n"))
        #expect(yaml.contains("url: \"{{ trigger.url }}/status\""))
        #expect(yaml.contains("branch: error"))
        #expect(yaml.contains("timeout: 90\n"))
    }

    @Test func jsonRoundTripGivesTheSameModel() throws {
        let first = try WorkflowCodec.load(Self.full).workflow
        let json = WorkflowCodec.json(first)
        #expect(json.hasPrefix("{\n  \"workflow\": {\n    \"name\": \"Full\""))
        let second = try WorkflowCodec.load(json)
        #expect(second.workflow == first)
        #expect(WorkflowCodec.json(second.workflow) == json)
        #expect(WorkflowCodec.yaml(second.workflow) == WorkflowCodec.yaml(first))
    }

    @Test(arguments: ["seed-template-1-deploy-with-tests.yaml", "seed-template-2-auto-scaling.yaml", "seed-template-3-maintenance.yaml"])
    func seedTemplatesRoundTrip(_ name: String) throws {
        let original = try WorkflowCodec.load(try fixture(name)).workflow
        let reloaded = try WorkflowCodec.load(WorkflowCodec.yaml(original)).workflow
        #expect(reloaded == original)
        #expect(try WorkflowCodec.load(WorkflowCodec.json(original)).workflow == original)
    }

    @Test func canonicalFormWritesExplicitEdgesAndNodeSettings() throws {
        let yaml = WorkflowCodec.yaml(try WorkflowCodec.load(try fixture("seed-template-1-deploy-with-tests.yaml")).workflow)
        #expect(yaml.contains("    retry_count: 5\n"))
        #expect(!yaml.contains("      retry_count"))
        let twoYAML = WorkflowCodec.yaml(try WorkflowCodec.load(try fixture("seed-template-2-auto-scaling.yaml")).workflow)
        #expect(twoYAML.contains("  edges:\n"))
        #expect(twoYAML.contains("branch: \"true\""))
        #expect(!twoYAML.contains("true_branch"))
        #expect(!twoYAML.contains("\n  trigger:"))
    }

    @Test func documentWithoutTheWorkflowWrapperIsAccepted() throws {
        let loaded = try WorkflowCodec.load("name: bare\nnodes:\n  - id: s\n    type: trigger.manual\n")
        #expect(loaded.workflow.name == "bare")
        #expect(loaded.workflow.nodes.count == 1)
    }

    @Test func plainScalarsFollowYAML12CoreSchema() throws {
        let loaded = try WorkflowCodec.load("""
            name: t
            nodes:
              - id: s
                type: trigger.manual
                configuration: {a: no, b: yes, c: on, d: true, e: 010, f: 1.5, g: ~, h: "3", i: 0x1F, j: 1e3}
            """)
        let configuration = loaded.workflow.nodes[0].configuration
        #expect(configuration["a"] == "no")
        #expect(configuration["b"] == "yes")
        #expect(configuration["c"] == "on")
        #expect(configuration["d"] == true)
        #expect(configuration["e"] == 10)
        #expect(configuration["f"] == 1.5)
        #expect(configuration["g"] == .null)
        #expect(configuration["h"] == "3")
        #expect(configuration["i"] == 31)
        #expect(configuration["j"] == 1000.0)
    }

    @Test func unquotedBranchTrueIsTheTrueBranch() throws {
        let loaded = try WorkflowCodec.load("""
            name: t
            nodes: [{id: s, type: trigger.manual}, {id: c, type: logic.condition, configuration: {condition: true}}, {id: a, type: logic.stop}]
            edges: [{source: s, target: c}, {from: c, to: a, branch: true}]
            """)
        #expect(loaded.workflow.edges[1] == Edge(source: "c", target: "a", branch: "true"))
    }

    @Test func withoutEdgesNodesRunInListedOrder() throws {
        let workflow = try WorkflowCodec.load("""
            name: t
            nodes:
              - {id: s, type: trigger.manual}
              - {id: a, type: logic.loop, configuration: {items: [1]}}
              - {id: b, type: logic.merge}
              - {id: c, type: logic.stop}
            """).workflow
        #expect(workflow.edges == [
            Edge(source: "s", target: "a"), Edge(source: "a", target: "b", branch: "done"), Edge(source: "b", target: "c"),
        ])
    }

    @Test func numericIdsAreKeptAsText() throws {
        let workflow = try WorkflowCodec.load("name: t\nnodes: [{id: 1, type: trigger.manual}]").workflow
        #expect(workflow.nodes[0].id == "1")
    }

    @Test func unknownFieldsAreWarnedWithTheClosestKnownField() throws {
        let loaded = try WorkflowCodec.load("""
            workflow:
              name: t
              node: []
              nodes:
                - {id: s, type: trigger.manual, confguration: {}}
            extra: 1
            """)
        let messages = loaded.problems.map { "\($0.path): \($0.suggestion ?? "")" }
        #expect(messages.contains("node: did you mean 'nodes'?"))
        #expect(messages.contains("nodes[0].confguration: did you mean 'configuration'?"))
        #expect(messages.contains("extra: indent it under workflow:"))
        #expect(loaded.problems.allSatisfy { $0.severity == .warning })
    }

    @Test func problemsCarryTheirSourceLine() throws {
        let report = try validate("""
            workflow:
              name: t
              nodes:
                - id: s
                  type: trigger.manual
                - id: h
                  type: integration.http
                  configuration:
                    url: http://x
                    method: FETCH
              edges:
                - {source: s, target: h}
            """)
        let problem = try #require(report.problems(.invalidEnumValue).first)
        #expect(problem.line == 10)
        #expect(problem.path == "nodes[1].configuration.method")
        #expect(problem.nodeID == "h")
    }

    @Test func notADocumentIsAClearError() {
        let cases: [(String, String)] = [
            ("", "empty"), ("- a\n- b", "must be a mapping"), ("workflow: 3", "'workflow' must be a mapping"),
            ("name: t\nnodes: 5", "'nodes' must be a list"), ("name: t\nedges: {a: b}\nnodes: []", "'edges' must be a list"),
            ("name: [unclosed", "line"),
        ]
        for (text, expected) in cases {
            do {
                _ = try WorkflowCodec.load(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
    }

    @Test func tabIndentedJSONIsRead() throws {
        let json = "{\n\t\"name\": \"tabs\",\n\t\"nodes\": [{\"id\": \"s\", \"type\": \"trigger.manual\", \"configuration\": {\"x\": true, \"n\": 2, \"d\": 2.5}}]\n}"
        let workflow = try WorkflowCodec.load(json).workflow
        #expect(workflow.name == "tabs")
        #expect(workflow.nodes[0].configuration == ["x": true, "n": 2, "d": 2.5])
    }

    @Test func aliasBombsAndHugeDocumentsAreRefused() {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for level in 0..<8 {
            let name = "l\(level)"
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect(throws: WorkflowFormatError.self) { try WorkflowCodec.load(bomb) }
        let huge = "name: t\ndescription: \"" + String(repeating: "x", count: 9 * 1024 * 1024) + "\"\n"
        #expect(throws: WorkflowFormatError.self) { try WorkflowCodec.load(huge) }
    }

    @Test func badNodeSettingsAreReportedNotFatal() throws {
        let loaded = try WorkflowCodec.load("""
            name: t
            nodes:
              - id: s
                type: trigger.manual
                retry_count: -1
                timeout: forever
                retry: {factor: 0.5, jitter: 2}
                position: here
            """)
        let paths = Set(loaded.problems.map(\.path))
        #expect(paths == ["nodes[0].retry_count", "nodes[0].timeout", "nodes[0].retry.factor", "nodes[0].retry.jitter", "nodes[0].position"])
    }

    @Test func doublesStayDoublesThroughYAML() throws {
        let workflow = Workflow(name: "d", nodes: [WorkflowNode(id: "s", type: "trigger.manual", configuration: ["f": 2.0, "g": 0.1, "s": "2.0", "b": "true", "e": ""])])
        let yaml = WorkflowCodec.yaml(workflow)
        #expect(yaml.contains("f: 2.0"))
        #expect(yaml.contains("s: \"2.0\""))
        #expect(try WorkflowCodec.load(yaml).workflow == workflow)
    }
}
