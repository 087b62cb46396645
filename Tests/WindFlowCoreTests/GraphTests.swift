import Testing
@testable import WindFlowCore

struct GraphTests {
    static let loopWorkflow = """
        workflow:
          name: rolling restart
          nodes:
            - {id: start, type: trigger.manual}
            - id: each
              type: logic.loop
              configuration: {items: "{{ trigger.services }}"}
            - id: restart
              type: integration.script
              configuration: {script: "echo restarting", env: {SERVICE: "{{ item }}", POSITION: "{{ index }}"}}
            - id: check
              type: integration.http
              configuration: {url: "http://127.0.0.1/{{ item }}/health"}
            - id: report
              type: logic.stop
              configuration: {message: "{{ each.count }} restarted"}
          edges:
            - {source: start, target: each}
            - {source: each, target: restart, branch: loop}
            - {source: restart, target: check}
            - {source: check, target: each}
            - {source: each, target: report, branch: done}
        """

    @Test func aLoopBodyIsNotACycle() throws {
        let report = try validate(Self.loopWorkflow)
        #expect(report.problems.isEmpty, "\(report.problems)")
        let graph = WorkflowGraph(try WorkflowCodec.load(Self.loopWorkflow).workflow)
        #expect(graph.loopBackEdges == [3])
        #expect(graph.loopBodies()[1] == [2, 3])
        #expect(graph.topologicalOrder().cyclic.isEmpty)
    }

    @Test func ancestorsFollowEdgesAcrossBranches() throws {
        let workflow = try WorkflowCodec.load("""
            name: t
            nodes: [{id: s, type: trigger.manual}, {id: a, type: logic.merge}, {id: b, type: logic.merge}, {id: c, type: logic.merge}, {id: d, type: logic.merge}]
            edges: [{source: s, target: a}, {source: s, target: b}, {source: a, target: c}, {source: b, target: c}, {source: s, target: d}]
            """).workflow
        let ancestors = WorkflowGraph(workflow).ancestors()
        #expect(ancestors[3].contains(0) && ancestors[3].contains(1) && ancestors[3].contains(2))
        #expect(!ancestors[3].contains(4))
        #expect(!ancestors[4].contains(1))
    }

    @Test func theCycleReportedIsARealOne() throws {
        let report = try validate(workflowYAML(
            nodes: "    - {id: a, type: logic.merge}\n    - {id: b, type: logic.merge}\n    - {id: c, type: logic.merge}",
            edges: "    - {source: start, target: a}\n    - {source: a, target: b}\n    - {source: b, target: c}\n    - {source: c, target: a}"))
        let cycle = try #require(report.problems(.cycle).first)
        #expect(cycle.message.contains("a → b → c → a"))
        #expect(cycle.path == "edges[3]")
        #expect(cycle.suggestion?.contains("c → a") == true)
    }

    @Test func aSelfLoopIsACycle() throws {
        let report = try validate(workflowYAML(
            nodes: "    - {id: a, type: logic.merge}", edges: "    - {source: start, target: a}\n    - {source: a, target: a}"))
        #expect(report.problems(.cycle).first?.message == "node 'a' leads to itself")
    }

    @Test func switchBranchesComeFromItsCases() throws {
        let report = try validate(workflowYAML(
            nodes: """
                    - id: route
                      type: logic.switch
                      configuration:
                        value: "{{ trigger.env }}"
                        cases: [{name: prod, equals: production}, {name: stage, condition: "trigger.env == 'staging'"}]
                    - {id: a, type: logic.stop}
                    - {id: b, type: logic.stop}
                    - {id: c, type: logic.stop}
                """,
            edges: """
                    - {source: start, target: route}
                    - {source: route, target: a, branch: prod}
                    - {source: route, target: b, branch: default}
                    - {source: route, target: c, branch: staging}
                """))
        let problem = try #require(report.problems(.unknownBranch).first)
        #expect(problem.message.contains("its outputs are prod, stage, default"))
        #expect(report.problems.count == 1)
    }

    @Test func switchCaseConditionsAreCheckedAsExpressions() throws {
        let report = try validate(workflowYAML(
            nodes: """
                    - id: route
                      type: logic.switch
                      configuration:
                        cases: [{name: a, condition: "trigger.env =="}]
                """,
            edges: "    - {source: start, target: route}"))
        #expect(report.problems(.expressionSyntax).first?.path == "nodes[1].configuration.cases[0].condition")
    }

    @Test func errorOutputOfABranchingNodeIsReadable() throws {
        let report = try validate(workflowYAML(
            nodes: """
                    - id: call
                      type: integration.http
                      error_handling: branch
                      configuration: {url: "http://127.0.0.1:9/x"}
                    - id: tell
                      type: integration.notification
                      configuration: {channels: [log], message: "failed: {{ call.error.message }}"}
                """,
            edges: "    - {source: start, target: call}\n    - {source: call, target: tell, branch: error}"))
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test func aMisspeltTriggerIsNotAlsoReportedAsNoTrigger() throws {
        let report = try validate("name: t\nnodes: [{id: s, type: trigger.manaul}]")
        #expect(report.problems.map(\.code) == [.unknownNodeType])
        #expect(report.problems[0].suggestion == "did you mean 'trigger.manual'?")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let report = try validate("""
            name: ""
            nodes:
              - {id: s, type: trigger.schedule, configuration: {schedule: "every day"}}
              - {id: bad-id, type: integration.htp}
              - {id: h, type: integration.http, configuration: {method: FETCH}}
              - {id: h, type: logic.wait}
            edges:
              - {source: s, target: nowhere}
            """)
        let codes = Set(report.problems.map(\.code))
        #expect(codes.isSuperset(of: [.missingField, .invalidCron, .invalidNodeID, .unknownNodeType, .missingParameter,
                                      .invalidEnumValue, .duplicateNodeID, .unknownEdgeTarget, .unreachableNode]))
    }
}
