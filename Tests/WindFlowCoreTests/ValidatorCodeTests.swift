import Testing
@testable import WindFlowCore

/// One workflow per problem code that provokes it; the last test proves every code has a case here.
struct ValidatorCodeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var code: ProblemCode
        var yaml: String
        /// Text the message or suggestion must contain.
        var mentions: String
        var testDescription: String { code.rawValue }
    }

    static let cases: [Case] = [
        Case(code: .missingField, yaml: workflowYAML(nodes: "    - type: logic.stop"), mentions: "has no id"),
        Case(code: .invalidFieldType, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      disabled: maybe",
                                                          edges: "    - source: start\n      target: a"), mentions: "true or false"),
        Case(code: .unknownField, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.http\n      url: http://x\n      configuration:\n        url: http://x",
                                                      edges: "    - source: start\n      target: a"), mentions: "configuration"),
        Case(code: .unknownNodeType, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.htpp\n      configuration:\n        url: http://x",
                                                         edges: "    - source: start\n      target: a"), mentions: "integration.http"),
        Case(code: .duplicateNodeID, yaml: workflowYAML(nodes: "    - id: start\n      type: logic.stop"), mentions: "already used"),
        Case(code: .invalidNodeID, yaml: workflowYAML(nodes: "    - id: deploy-staging\n      type: logic.stop",
                                                       edges: "    - source: start\n      target: deploy-staging"), mentions: "deploy_staging"),
        Case(code: .reservedNodeID, yaml: workflowYAML(nodes: "    - id: env\n      type: logic.stop",
                                                        edges: "    - source: start\n      target: env"), mentions: "reserved"),
        Case(code: .missingParameter, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.http",
                                                          edges: "    - source: start\n      target: a"), mentions: "url"),
        Case(code: .unknownParameter, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.http\n      configuration:\n        url: http://x\n        metod: GET",
                                                          edges: "    - source: start\n      target: a"), mentions: "did you mean 'method'"),
        Case(code: .invalidParameterType, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.http\n      configuration:\n        url: http://x\n        follow_redirects: \"yes\"",
                                                              edges: "    - source: start\n      target: a"), mentions: "true or false"),
        Case(code: .invalidEnumValue, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.http\n      configuration:\n        url: http://x\n        method: get",
                                                          edges: "    - source: start\n      target: a"), mentions: "did you mean 'GET'"),
        Case(code: .outOfRange, yaml: workflowYAML(nodes: "    - id: a\n      type: windflow.scale_service\n      configuration:\n        service_id: web\n        replicas: 2\n        max_replicas: 0",
                                                    edges: "    - source: start\n      target: a"), mentions: "smallest allowed is 1"),
        Case(code: .secretInPlainText, yaml: "workflow:\n  name: t\n  nodes:\n    - id: hook\n      type: trigger.webhook\n      configuration:\n        webhook_path: /x\n        token: hunter2",
             mentions: "secrets.TOKEN"),
        Case(code: .invalidCron, yaml: "workflow:\n  name: t\n  trigger:\n    type: schedule\n    schedule: \"61 * * * *\"\n  nodes: []",
             mentions: "minute"),
        Case(code: .invalidDuration, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.wait\n      configuration:\n        duration: soon",
                                                         edges: "    - source: start\n      target: a"), mentions: "5m"),
        Case(code: .invalidTimezone, yaml: "workflow:\n  name: t\n  settings:\n    timezone: Europe/Pariss\n  nodes:\n    - id: s\n      type: trigger.manual",
             mentions: "Europe/Paris"),
        Case(code: .invalidWebhookPath, yaml: "workflow:\n  name: t\n  nodes:\n    - id: hook\n      type: trigger.webhook\n      configuration:\n        webhook_path: deploy now\n        authentication: none",
             mentions: "must start with '/'"),
        Case(code: .duplicateWebhookPath, yaml: "workflow:\n  name: t\n  nodes:\n    - id: a\n      type: trigger.webhook\n      configuration: {webhook_path: /x, authentication: none}\n    - id: b\n      type: trigger.webhook\n      configuration: {webhook_path: /x, authentication: none}",
             mentions: "already used by node 'a'"),
        Case(code: .invalidNodeSetting, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      error_handling: ignore",
                                                            edges: "    - source: start\n      target: a"), mentions: "stop, continue or branch"),
        Case(code: .emptyWorkflow, yaml: "workflow:\n  name: t\n  nodes: []", mentions: "no nodes"),
        Case(code: .unknownEdgeSource, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop",
                                                           edges: "    - source: start\n      target: a\n    - source: strat\n      target: a"), mentions: "did you mean 'start'"),
        Case(code: .unknownEdgeTarget, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop",
                                                           edges: "    - source: start\n      target: a\n    - source: start\n      target: b"), mentions: "'b'"),
        Case(code: .duplicateEdge, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop",
                                                       edges: "    - source: start\n      target: a\n    - source: start\n      target: a"), mentions: "twice"),
        Case(code: .cycle, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.merge\n    - id: b\n      type: logic.merge",
                                               edges: "    - source: start\n      target: a\n    - source: a\n      target: b\n    - source: b\n      target: a"), mentions: "a → b → a"),
        Case(code: .unreachableNode, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop") + "\n  edges: []", mentions: "never runs"),
        Case(code: .noTrigger, yaml: "workflow:\n  name: t\n  nodes:\n    - id: a\n      type: logic.stop", mentions: "trigger.manual"),
        Case(code: .triggerHasIncomingEdges, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.merge",
                                                                 edges: "    - source: start\n      target: a\n    - source: a\n      target: start"), mentions: "no edge may lead into it"),
        Case(code: .unknownBranch, yaml: workflowYAML(nodes: "    - id: c\n      type: logic.condition\n      configuration: {condition: true}\n    - id: a\n      type: logic.stop",
                                                       edges: "    - source: start\n      target: c\n    - source: c\n      target: a\n      branch: ture"), mentions: "did you mean 'true'"),
        Case(code: .missingBranch, yaml: workflowYAML(nodes: "    - id: c\n      type: logic.condition\n      configuration: {condition: true}\n    - id: a\n      type: logic.stop",
                                                       edges: "    - source: start\n      target: c\n    - source: c\n      target: a"), mentions: "branch: true"),
        Case(code: .errorBranchWithoutHandling, yaml: workflowYAML(nodes: "    - id: h\n      type: integration.http\n      configuration: {url: http://x}\n    - id: a\n      type: logic.stop",
                                                                    edges: "    - source: start\n      target: h\n    - source: h\n      target: a\n      branch: error"), mentions: "error_handling: branch"),
        Case(code: .unusedBranch, yaml: workflowYAML(nodes: "    - id: h\n      type: integration.http\n      error_handling: branch\n      configuration: {url: http://x}",
                                                      edges: "    - source: start\n      target: h"), mentions: "branch: error"),
        Case(code: .expressionSyntax, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      configuration:\n        message: \"{{ start.x + }}\"",
                                                          edges: "    - source: start\n      target: a"), mentions: "character"),
        Case(code: .unknownReference, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      configuration:\n        message: \"{{ strat.x }}\"",
                                                          edges: "    - source: start\n      target: a"), mentions: "did you mean 'start'"),
        Case(code: .referenceNotUpstream, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      configuration:\n        message: \"{{ b.stdout }}\"\n    - id: b\n      type: integration.script\n      configuration: {script: echo}",
                                                              edges: "    - source: start\n      target: a\n    - source: start\n      target: b"), mentions: "does not run before it"),
        Case(code: .unknownOutputField, yaml: workflowYAML(nodes: "    - id: d\n      type: windflow.deploy_stack\n      configuration: {stack_id: shop}\n    - id: h\n      type: integration.http\n      configuration:\n        url: \"{{ d.endpoitn }}/health\"",
                                                            edges: "    - source: start\n      target: d\n    - source: d\n      target: h"), mentions: "did you mean 'endpoint'"),
        Case(code: .loopVariableOutsideLoop, yaml: workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      configuration:\n        message: \"{{ item }}\"",
                                                                 edges: "    - source: start\n      target: a"), mentions: "loop"),
        Case(code: .placeholderRunAsCode, yaml: workflowYAML(nodes: "    - id: a\n      type: integration.script\n      configuration:\n        script: \"sh -c 'echo '{{ execution.id }}\"",
                                                             edges: "    - source: start\n      target: a"), mentions: "env:"),
    ]

    @Test(arguments: cases)
    func eachCodeIsReportedWithAHelpfulMessage(_ example: Case) throws {
        let report = try validate(example.yaml)
        let matching = report.problems(example.code)
        #expect(!matching.isEmpty, "expected \(example.code.rawValue), got \(report.problems)")
        let text = matching.map { "\($0.message) \($0.suggestion ?? "")" }.joined(separator: "\n")
        #expect(text.contains(example.mentions), "\(text)")
        for problem in matching {
            #expect(problem.severity == example.code.defaultSeverity)
            #expect(!problem.path.isEmpty || example.code == .syntaxError)
        }
    }

    @Test func syntaxErrorsNameTheLine() throws {
        let text = "workflow:\n  name: t\n  nodes:\n    - id: a\n      type: [unclosed\n"
        #expect(throws: WorkflowFormatError.self) { try WorkflowCodec.load(text) }
        do {
            _ = try WorkflowCodec.load(text)
        } catch {
            #expect(error.problem.code == .syntaxError)
            #expect(error.line != nil)
        }
    }

    @Test func aKeyWrittenTwiceIsASyntaxErrorWithItsLine() throws {
        let text = workflowYAML(nodes: "    - id: a\n      type: logic.stop\n      configuration:\n        message: one\n        message: two")
        do {
            _ = try WorkflowCodec.load(text)
            Issue.record("a duplicated key was accepted")
        } catch {
            #expect(error.message.contains("'message' is written twice"))
            #expect(error.line == 9)
        }
    }

    @Test func everyCodeHasACase() {
        // Stack-file codes are covered by StackTests.
        let covered = Set(Self.cases.map(\.code)).union([.syntaxError]).union(ProblemCode.stackCodes)
        let missing = ProblemCode.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "codes without a test case: \(missing.map(\.rawValue))")
    }
}

struct ValidationDocumentationTests {
    @Test func docsListEveryCode() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/VALIDATION.md"), encoding: .utf8)
        let missing = ProblemCode.allCases.filter { !text.contains("| `\($0.rawValue)` |") }
        #expect(missing.isEmpty, "docs/VALIDATION.md does not list \(missing.map(\.rawValue))")
    }
}
