import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowEngine
@testable import WindFlowStore

/// Real failures, made by really running workflows; then the suggestion, its patch, and a run of the patched version.
@Suite(.serialized)
struct FixSuggestionTests {
    struct Scene {
        let box: DesignSandbox
        let engine: WorkflowEngine

        init() throws {
            box = try DesignSandbox()
            engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, configuration: EngineConfiguration(cancelPollInterval: 0.05)))
        }

        func run(_ workflow: Workflow) async throws -> ExecutionRecord {
            let record = try await engine.enqueue(workflow)
            _ = try await engine.runToEnd(record.id)
            return try #require(try box.store.execution(record.id))
        }

        func run(_ yaml: String) async throws -> ExecutionRecord { try await run(try WorkflowCodec.load(yaml).workflow) }

        /// Suggests for `failed`, checks the one suggestion, applies it, and runs the new version.
        func fixAndRerun(_ failed: ExecutionRecord, rule: String, designer: Designer? = nil) async throws -> (SuggestionRecord, ExecutionRecord) {
            #expect(failed.status == .failed, "the scene should fail first: \(failed.errorMessage ?? "")")
            let advisor = FixAdvisor(store: box.store, designer: designer)
            let advice = try await advisor.suggest(for: failed.id)
            let suggestion = try #require(advice.offered.first, "no suggestion; dropped: \(advice.dropped)")
            #expect(suggestion.rule == rule)
            #expect(!suggestion.rationale.isEmpty && suggestion.confidence > 0)
            let saved = try await advisor.apply(suggestion.id)
            #expect(saved.version == failed.workflowVersion + 1)
            #expect(try box.store.suggestion(suggestion.id)?.status == .applied)
            let next = try await run(saved.workflow)
            #expect(next.status == .succeeded, "the patched version still fails: \(next.errorMessage ?? "")")
            #expect(try box.store.outcome(of: try #require(try box.store.suggestion(suggestion.id)))?.succeeded == 1)
            return (suggestion, next)
        }
    }

    @Test func aCheckFailingAfterADeploymentThatDidNotWaitGetsHealthWaitsAndRollback() async throws {
        let host = try DockerDaemon.host.get()
        let box = try DesignSandbox()
        let stack = "slow" + UUID().uuidString.prefix(6).lowercased()
        let stacks = box.directory.appendingPathComponent("stacks").path
        try FileManager.default.createDirectory(atPath: stacks, withIntermediateDirectories: true)
        // The web server takes a while to start (longer than a deployment takes even on a loaded machine); its
        // health check knows when it is up.
        try """
            services:
              web:
                image: windflow/busybox:test
                command: ["sh", "-c", "sleep 15; exec httpd -f -p 80 -h /www"]
                ports: ["80"]
                healthcheck: {test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/health"], interval: 1s, timeout: 2s, retries: 40}
            """.write(toFile: "\(stacks)/\(stack).yaml", atomically: true, encoding: .utf8)
        let settings = DeploymentSettings(stacksDirectory: stacks, dataDirectory: box.directory.path, dockerHost: host)
        let driver = DockerEngineDriver(host: host)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, executors: .standard(deployment: settings)))
        let workflow = try WorkflowCodec.load("""
            name: ship
            nodes:
              - {id: start, type: trigger.manual}
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging, wait_for_healthy: false, rollback_on_failure: false}}
              - {id: smoke, type: integration.http, configuration: {url: "{{ deploy.endpoint }}/health", timeout: 2}}
            edges: [{source: start, target: deploy}, {source: deploy, target: smoke}]
            """).workflow
        let first = try await engine.enqueue(workflow)
        _ = try await engine.runToEnd(first.id)
        let failed = try #require(try box.store.execution(first.id))
        #expect(failed.status == .failed && failed.errorNode == "smoke", "\(failed.errorMessage ?? "")")
        let advisor = FixAdvisor(store: box.store)
        let suggestion = try #require(try await advisor.suggest(for: failed.id).offered.first)
        #expect(suggestion.rule == "deploy_health")
        #expect(suggestion.patch == [
            ["op": "add", "path": "/workflow/nodes/1/configuration/wait_for_healthy", "value": true],
            ["op": "add", "path": "/workflow/nodes/1/configuration/rollback_on_failure", "value": true],
        ])
        let saved = try await advisor.apply(suggestion.id)
        let second = try await engine.enqueue(saved.workflow)
        _ = try await engine.runToEnd(second.id)
        let next = try #require(try box.store.execution(second.id))
        #expect(next.status == .succeeded, "the deployment now waits for health: \(next.errorMessage ?? "")")
        for container in try await driver.containers(labelled: [DeploymentLabels.stack: stack]) { try await driver.remove(container.id) }
        try await driver.removeNetwork(StackScope(stack: stack, environment: "staging").network)
        box.remove()
    }

    @Test func aSlowScriptPastItsTimeoutGetsARoomierTimeout() async throws {
        let scene = try Scene()
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: slow report
            nodes:
              - {id: start, type: trigger.manual}
              - {id: build, type: integration.script, timeout: 2, configuration: {script: "sleep 2.5"}}
            """)
        let (suggestion, _) = try await scene.fixAndRerun(failed, rule: "timeout_near_limit")
        // Never finished, nothing measured: 2 s + 30 s (more than 3 × 2 s), room to see how long it really takes.
        #expect(suggestion.patch == [["op": "add", "path": "/workflow/nodes/1/timeout", "value": 32]])
    }

    @Test func aRegressionGetsBackTheChangeThatFixedItBefore() async throws {
        let scene = try Scene()
        defer { scene.box.remove() }
        func version(_ timeout: Int) -> String {
            "name: nightly\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: dump, type: integration.script, timeout: \(timeout), configuration: {script: \"sleep 2.5\"}}\n"
        }
        #expect(try await scene.run(version(2)).status == .failed)      // version 1
        #expect(try await scene.run(version(9)).status == .succeeded)   // version 2 fixed it
        let regressed = try await scene.run(version(2))                  // version 3 undid the fix
        let advice = try await FixAdvisor(store: scene.box.store).suggest(for: regressed.id)
        let first = try #require(advice.offered.first)
        #expect(first.rule == "earlier_fix" && first.confidence == 0.9)
        #expect(first.rationale.contains("version 1") && first.rationale.contains("version 2"))
        #expect(first.patch == [["op": "add", "path": "/workflow/nodes/1/timeout", "value": 9]])
    }

    @Test func adviceThatDidNotHelpBeforeIsTrustedLess() async throws {
        let (scene, server) = (try Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        // Fails 10 times in a row: retries (3) will not be enough.
        let failed = try await scene.run("""
            name: stubborn
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/flaky?key=\(UUID().uuidString)&fail=10"}}
            """)
        let advisor = FixAdvisor(store: scene.box.store)
        let first = try #require(try await advisor.suggest(for: failed.id).offered.first)
        #expect(first.rule == "transient_failure" && first.confidence == 0.65)
        let patched = try await advisor.apply(first.id)
        var tuned = patched.workflow
        tuned.nodes[1].retry = RetryPolicy(initialDelay: 0.01, factor: 1, maxDelay: 0.01, jitter: 0)
        tuned.nodes[1].retryCount = 2
        let again = try await scene.run(tuned)
        #expect(again.status == .failed)
        let second = try #require(try await advisor.suggest(for: again.id).offered.first)
        #expect(second.rule == "transient_failure" && second.confidence < first.confidence)
        #expect(second.rationale.contains("still failed"))
    }

    @Test func anIntermittent503GetsRetries() async throws {
        let (scene, server) = (try Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: flaky call
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/flaky?key=\(UUID().uuidString)&fail=2"}}
            """)
        _ = try await scene.fixAndRerun(failed, rule: "transient_failure")
    }

    @Test func a401GetsCredentialsFromASecret() async throws {
        let (scene, server) = (try Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: private api
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/auth"}}
            """)
        try scene.box.store.setSecret("CALL_TOKEN", value: "good", now: 0)
        let (suggestion, _) = try await scene.fixAndRerun(failed, rule: "missing_credentials")
        #expect(suggestion.rationale.contains("CALL_TOKEN"))
        #expect(!suggestion.patch.jsonText.contains("good"), "the patch names the secret, never its value")
    }

    /// An object store that says the bucket is in another region (AWS's AuthorizationHeaderMalformed, as the test
    /// server answers it) → sign for that region; the run then succeeds.
    @Test func aBucketInAnotherRegionGetsThatRegion() async throws {
        let (scene, server) = (try Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: fetch report
            nodes:
              - {id: start, type: trigger.manual}
              - {id: fetch, type: integration.cloud, configuration: {operation: get, bucket: bucket-in-eu-west-3, key: report.txt, endpoint: "\(server.base)", path_style: true, access_key: AKIDEXAMPLE, secret_key: wJalrXUtnFEMIexample}}
            """)
        let (suggestion, rerun) = try await scene.fixAndRerun(failed, rule: "cloud_region")
        #expect(suggestion.patch == [["op": "add", "path": "/workflow/nodes/1/configuration/region", "value": "eu-west-3"]])
        #expect(suggestion.confidence == 0.95)
        #expect(rerun.status == .succeeded)
    }

    /// First-time failures no change to the workflow fixes get an action: what to do, as exact commands, stored like
    /// a fix, never applied.
    @Test func firstTimeFailuresOutsideTheWorkflowGetActions() async throws {
        let (scene, server) = (try Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let advisor = FixAdvisor(store: scene.box.store)
        func advice(_ node: String) async throws -> SuggestionRecord? {
            let failed = try await scene.run("name: first time \(UUID().uuidString.prefix(6))\nnodes:\n  - {id: start, type: trigger.manual}\n  - \(node)\n")
            #expect(failed.status == .failed)
            return try await advisor.suggest(for: failed.id).offered.first
        }
        let secret = try #require(try await advice(#"{id: call, type: integration.http, configuration: {url: "{{ secrets.NOPE_URL }}/x"}}"#))
        #expect(secret.rule == "missing_secret" && secret.kind == "action" && secret.confidence == 0.95)
        #expect(secret.patch == [])
        #expect(secret.evidence["commands"]?.arrayValue?.first?.stringValue?.contains("/api/v1/secrets/NOPE_URL") == true)
        #expect(secret.evidence["commands"]?.arrayValue?.last?.stringValue?.contains("WINDFLOW_SECRET_NOPE_URL") == true)
        await #expect(throws: DesignError.self, "an action is not applied") { try await advisor.apply(secret.id) }
        #expect(try scene.box.store.suggestion(secret.id)?.status == .offered)

        let refused = try #require(try await advice(#"{id: call, type: integration.http, configuration: {url: "http://127.0.0.1:9/x"}}"#))
        #expect(refused.rule == "nothing_listening" && refused.kind == "action")
        #expect(refused.title.contains("127.0.0.1:9"))
        let unknown = try #require(try await advice(#"{id: call, type: integration.http, configuration: {url: "http://no-such-host.invalid/x"}}"#))
        #expect(unknown.rule == "unknown_host" && unknown.title.contains("no-such-host.invalid"))

        try scene.box.store.setSecret("API_TOKEN", value: "expired-token", now: 0)
        let engine = WorkflowEngine(runner: ExecutionRunner(
            store: scene.box.store, configuration: EngineConfiguration(secrets: try scene.box.store.secrets(), cancelPollInterval: 0.05)))
        let workflow = try WorkflowCodec.load("""
            name: rejected token
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/auth", auth: {type: bearer, token: "{{ secrets.API_TOKEN }}"}}}
            """).workflow
        let rejected = try await engine.enqueue(workflow)
        _ = try await engine.runToEnd(rejected.id)
        let renew = try #require(try await advisor.suggest(for: rejected.id).offered.first)
        #expect(renew.rule == "rejected_secret" && renew.title.contains("API_TOKEN") && renew.kind == "action")
        #expect(!renew.rationale.contains("expired-token") && !renew.evidence.jsonText.contains("expired-token"), "no secret in the advice")
    }

    /// A secret key the object store refuses (moto with signature checks, when scripts/test.sh started it) → renew
    /// the secrets the node signs with.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WINDFLOW_TEST_S3_ENDPOINT"] != nil, "WINDFLOW_TEST_S3_ENDPOINT is unset"))
    func aRefusedSecretKeyGetsTheSecretsToRenew() async throws {
        let environment = ProcessInfo.processInfo.environment
        let scene = try Scene()
        defer { scene.box.remove() }
        try scene.box.store.setSecret("S3_KEY", value: environment["WINDFLOW_TEST_S3_ACCESS_KEY"] ?? "", now: 0)
        try scene.box.store.setSecret("S3_SECRET", value: "not-the-secret-0123456789", now: 0)
        let engine = WorkflowEngine(runner: ExecutionRunner(
            store: scene.box.store, configuration: EngineConfiguration(secrets: try scene.box.store.secrets(), cancelPollInterval: 0.05)))
        let workflow = try WorkflowCodec.load("""
            name: fetch from the bucket
            nodes:
              - {id: start, type: trigger.manual}
              - {id: fetch, type: integration.cloud, configuration: {operation: get, bucket: windflow-test, key: a.txt, endpoint: "\(environment["WINDFLOW_TEST_S3_ENDPOINT"] ?? "")", path_style: true, access_key: "{{ secrets.S3_KEY }}", secret_key: "{{ secrets.S3_SECRET }}"}}
            """).workflow
        let record = try await engine.enqueue(workflow)
        _ = try await engine.runToEnd(record.id)
        let advice = try #require(try await FixAdvisor(store: scene.box.store).suggest(for: record.id).offered.first)
        #expect(advice.rule == "cloud_credentials" && advice.kind == "action")
        #expect(advice.title == "Renew S3_KEY and S3_SECRET")
        #expect(advice.evidence["commands"]?.arrayValue?.count == 2)
        #expect(!advice.evidence.jsonText.contains("not-the-secret") && !advice.rationale.contains("not-the-secret"))
    }

    @Test func aMistypedCommandBecomesTheOneThatExists() async throws {
        let scene = try Scene()
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: greeter
            nodes:
              - {id: start, type: trigger.manual}
              - {id: greet, type: integration.script, configuration: {script: "ech hello"}}
            """)
        let (suggestion, next) = try await scene.fixAndRerun(failed, rule: "command_not_found")
        #expect(suggestion.title.contains("'echo'"))
        #expect(try scene.box.store.nodeRuns(of: next.id).last { $0.nodeID == "greet" }?.output?["stdout"] == "hello\n")
    }

    @Test func aMissingFieldBecomesTheClosestOne() async throws {
        let scene = try Scene()
        defer { scene.box.remove() }
        let failed = try await scene.run("""
            name: pricing
            nodes:
              - {id: start, type: trigger.manual}
              - {id: price, type: integration.script, configuration: {script: "echo total=42 >> $WINDFLOW_OUTPUT"}}
              - {id: dear, type: logic.condition, configuration: {condition: "{{ price.totl > 10 }}"}}
              - {id: yes, type: logic.stop, configuration: {message: "dear"}}
            edges:
              - {source: start, target: price}
              - {source: price, target: dear}
              - {source: dear, target: yes, branch: "true"}
            """)
        let (suggestion, _) = try await scene.fixAndRerun(failed, rule: "missing_field")
        #expect(suggestion.patch.jsonText.contains("price.total"))
    }

    /// No rule knows a list compared with a number: the model is asked, shown the failure grounded (details, the
    /// node's configuration and registry entry, no secret), held to a schema naming only the node's parameters; a
    /// change that does not validate is dropped, one that does is offered, applied and fixes the run; an action is
    /// offered as an action.
    @Test func theModelIsAskedWhenNoRuleKnowsAndAPatchThatDoesNotValidateIsDropped() async throws {
        let (scene, llm) = (try Scene(), try await ScriptedLLM())
        defer { scene.box.remove() }
        try scene.box.store.setSecret("SHOP_TOKEN", value: "tok-0123456789-secret", now: 0)
        let yaml = """
            name: picky
            nodes:
              - {id: start, type: trigger.manual}
              - {id: count, type: integration.script, configuration: {script: "echo '{\\"items\\": [1, 2]}' > \\"$WINDFLOW_OUTPUT\\"", env: {TOKEN: "{{ secrets.SHOP_TOKEN }}"}}}
              - {id: enough, type: logic.condition, configuration: {condition: "{{ count.items > 1 }}"}}
              - {id: say, type: integration.notification, configuration: {channels: [log], message: enough}}
            edges:
              - {source: start, target: count}
              - {source: count, target: enough}
              - {source: enough, target: say, branch: "true"}
            """
        let failed = try await scene.run(yaml)
        #expect(failed.status == .failed && failed.errorNode == "enough", "\(failed.errorMessage ?? "")")
        let designer = try scene.box.proposals(llm.configuration(.openai).makeProvider()).designer
        // A change that leaves a broken expression would leave an invalid workflow: dropped, not offered, not stored.
        try await llm.script(#"{"rationale": "Compare the items.", "kind": "fix", "changes": [{"parameter": "condition", "value": "{{ count.items "}], "commands": [], "confidence": 0.9}"#)
        let dropped = try await FixAdvisor(store: scene.box.store, designer: designer).suggest(for: failed.id)
        #expect(dropped.offered.isEmpty && dropped.dropped.count == 1)
        #expect(dropped.dropped.first?.reason.contains("not valid") == true, "\(dropped.dropped)")
        #expect(try scene.box.store.suggestions(execution: failed.id).isEmpty)
        let request = try #require(try await llm.requests().last?["body"])
        let prompt = request["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(prompt.contains("Failed node: enough (logic.condition") && prompt.contains("Error details:") && prompt.contains("cannot compare a list"), "\(prompt)")
        #expect(prompt.contains("condition (required)"), "the registry entry of its type")
        #expect(!request.jsonText.contains("tok-0123456789-secret"), "no secret in the prompt")
        // On a loopback server (llama.cpp's) the schema goes as a grammar; hosted servers get it as a strict schema.
        let grammar = request["grammar"]?.stringValue ?? ""
        #expect(grammar.contains("changes") && grammar.contains("condition") && grammar.contains("node_timeout"), "\(grammar.prefix(600))")
        let schema = ModelFix.schema(for: NodeRegistry.standard.type("logic.condition"))
        #expect(schema["properties"]?["changes"]?["items"]?["properties"]?["parameter"]?["enum"]?.arrayValue?.contains("condition") == true)
        #expect(schema["additionalProperties"] == false && schema["required"]?.arrayValue?.count == schema["properties"]?.objectValue?.count)

        try await llm.script(#"Here: {"rationale": "count.items is a list; compare its length.", "kind": "fix", "changes": [{"parameter": "condition", "value": "{{ count.items | length > 1 }}"}], "commands": [], "confidence": 0.55}"#)
        let (suggestion, _) = try await scene.fixAndRerun(failed, rule: "llm", designer: designer)
        #expect(suggestion.source == "llm" && suggestion.confidence == 0.55 && suggestion.kind == "fix")
        #expect(suggestion.title == "count.items is a list; compare its length")

        try await llm.script(#"{"rationale": "The script needs jq, which is not installed.", "kind": "action", "changes": [], "commands": ["apt-get install -y jq"], "confidence": 0.5}"#)
        let action = try #require(try await FixAdvisor(store: scene.box.store, designer: designer).suggest(for: failed.id).offered.first)
        #expect(action.kind == "action" && action.patch == [] && action.evidence["commands"] == ["apt-get install -y jq"])
        #expect(try scene.box.store.llmCalls().map(\.purpose) == ["fix", "fix", "fix"])
    }

    @Test func jsonPatchFollowsRFC6902() throws {
        let document: JSONValue = ["a": ["b": [1, 2]], "c/d": "x"]
        let patch = try JSONPatch(json: [
            ["op": "add", "path": "/a/b/1", "value": 9], ["op": "replace", "path": "/c~1d", "value": "y"],
            ["op": "copy", "from": "/a/b", "path": "/e"], ["op": "move", "from": "/e", "path": "/f"], ["op": "test", "path": "/f/2", "value": 2],
            ["op": "remove", "path": "/a/b/0"],
        ])
        let result = try patch.apply(to: document)
        #expect(result == ["a": ["b": [9, 2]], "c/d": "y", "f": [1, 9, 2]], "\(result.jsonText)")
        #expect(throws: JSONPatchError.self) { try JSONPatch(json: [["op": "replace", "path": "/nope", "value": 1]]).apply(to: document) }
        #expect(throws: JSONPatchError.self) { try JSONPatch(json: [["op": "test", "path": "/c~1d", "value": "z"]]).apply(to: document) }
        #expect(throws: JSONPatchError.self) { try JSONPatch(json: [["op": "explode", "path": "/"]]) }
    }
}
