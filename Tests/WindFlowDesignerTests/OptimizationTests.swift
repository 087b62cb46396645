import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowEngine
@testable import WindFlowStore

/// Optimizations mined from histories made by really running workflows.
@Suite(.serialized)
struct OptimizationTests {
    @Test func aReadOnlyStepThatWaitsForNothingItReadsIsStartedEarlierAndALooseTimeoutTightened() async throws {
        let (scene, server) = (try FixSuggestionTests.Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: report
            nodes:
              - {id: start, type: trigger.manual}
              - {id: build, type: integration.script, timeout: 3600, configuration: {script: "sleep 0.05; echo rows=3 >> $WINDFLOW_OUTPUT"}}
              - {id: status, type: integration.http, configuration: {url: "\(server.base)/json"}}
              - {id: tell, type: logic.stop, configuration: {message: "{{ build.rows }} {{ status.status }}"}}
            edges:
              - {source: start, target: build}
              - {source: build, target: status}
              - {source: status, target: tell}
            """).workflow
        for _ in 0..<10 { #expect(try await scene.run(workflow).status == .succeeded) }
        let analysis = try await Optimizer(store: scene.box.store).analyse("report")
        #expect(analysis.criticalPath == ["start", "build", "status", "tell"])
        #expect((analysis.statistics["build"]?.p50 ?? 0) >= 40)
        let rules = analysis.offered.map(\.rule)
        #expect(rules.contains("parallelizable") && rules.contains("timeout_too_far"), "\(rules) dropped: \(analysis.dropped)")
        let parallel = try #require(analysis.offered.first { $0.rule == "parallelizable" })
        #expect(parallel.title == "Run 'status' alongside 'build'")
        #expect((parallel.evidence["estimated_benefit_ms"]?.doubleValue ?? 0) > 0)
        let saved = try await FixAdvisor(store: scene.box.store).apply(parallel.id)
        #expect(saved.workflow.edges.contains(Edge(source: "start", target: "status")))
        #expect(try await scene.run(saved.workflow).status == .succeeded)
    }

    @Test func aBranchNeverTakenIsOfferedForRemovalButNeverAnErrorPath() async throws {
        let scene = try FixSuggestionTests.Scene()
        defer { scene.box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: disk watch
            nodes:
              - {id: start, type: trigger.manual}
              - {id: measure, type: integration.script, configuration: {script: "echo used=42 >> $WINDFLOW_OUTPUT"}}
              - {id: full, type: logic.condition, configuration: {condition: "{{ measure.used | int > 10 }}"}}
              - {id: clean, type: integration.script, error_handling: branch, configuration: {script: "echo cleaning"}}
              - {id: idle, type: integration.script, configuration: {script: "echo nothing to do"}}
              - {id: page, type: integration.script, configuration: {script: "echo paging"}}
            edges:
              - {source: start, target: measure}
              - {source: measure, target: full}
              - {source: full, target: clean, branch: "true"}
              - {source: full, target: idle, branch: "false"}
              - {source: clean, target: page, branch: error}
            """).workflow
        for _ in 0..<10 { #expect(try await scene.run(workflow).status == .succeeded) }
        let analysis = try await Optimizer(store: scene.box.store).analyse("disk watch")
        let never = analysis.offered.filter { $0.rule == "branch_never_taken" }
        #expect(never.count == 1, "only the false branch; the error path of clean is not proposed: \(never.map(\.title)) \(analysis.dropped)")
        let suggestion = try #require(never.first)
        #expect(suggestion.title == "Remove the 'false' branch of 'full' ('idle'), never taken")
        #expect(suggestion.evidence["taken"]?["true"] == 10 && suggestion.confidence < 0.5)
        let saved = try await FixAdvisor(store: scene.box.store).apply(suggestion.id)
        #expect(!saved.workflow.nodes.contains { $0.id == "idle" })
        #expect(saved.workflow.nodes.contains { $0.id == "page" }, "the error path stays")
        #expect(try await scene.run(saved.workflow).status == .succeeded)
    }

    @Test func theSameGETTwiceInOneRunIsReadOnce() async throws {
        let (scene, server) = (try FixSuggestionTests.Scene(), try await LoopbackServer.start())
        defer { scene.box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: double check
            nodes:
              - {id: start, type: trigger.manual}
              - {id: before, type: integration.http, configuration: {url: "\(server.base)/json"}}
              - {id: work, type: integration.script, configuration: {script: "echo working"}}
              - {id: after, type: integration.http, configuration: {url: "\(server.base)/json"}}
              - {id: report, type: logic.stop, configuration: {message: "{{ before.status }} then {{ after.body.name }}"}}
            edges:
              - {source: start, target: before}
              - {source: before, target: work}
              - {source: work, target: after}
              - {source: after, target: report}
            """).workflow
        for _ in 0..<10 { #expect(try await scene.run(workflow).status == .succeeded) }
        let analysis = try await Optimizer(store: scene.box.store).analyse("double check")
        let repeated = try #require(analysis.offered.first { $0.rule == "repeated_call" }, "\(analysis.offered.map(\.rule)) \(analysis.dropped)")
        #expect(repeated.title == "Drop 'after': it repeats 'before'")
        let saved = try await FixAdvisor(store: scene.box.store).apply(repeated.id)
        #expect(saved.workflow.node("after") == nil)
        #expect(saved.workflow.node("report")?.configuration["message"] == "{{ before.status }} then {{ before.body.name }}")
        #expect(saved.workflow.edges.contains(Edge(source: "work", target: "report")))
        #expect(try await scene.run(saved.workflow).status == .succeeded)
    }

    @Test func theModelWordsTheFindingsWithoutInventingThem() async throws {
        let (scene, llm) = (try FixSuggestionTests.Scene(), try await ScriptedLLM())
        defer { scene.box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: loose
            nodes:
              - {id: start, type: trigger.manual}
              - {id: quick, type: integration.script, timeout: 3600, configuration: {script: "true"}}
            """).workflow
        for _ in 0..<10 { _ = try await scene.run(workflow) }
        let optimizer = Optimizer(store: scene.box.store)
        let analysis = try await optimizer.analyse("loose")
        #expect(analysis.offered.map(\.rule) == ["timeout_too_far"])
        try await llm.script(#"{"narrative": ["quick never took a second, yet could hang an hour: a 30 s limit frees a stuck worker sooner."]}"#)
        let designer = try scene.box.proposals(llm.configuration(.openai).makeProvider()).designer
        let narrative = try await optimizer.narrative(for: analysis.offered, workflow: "loose", designer: designer)
        #expect(narrative.count == 1 && narrative[0].contains("30 s"))
        let sent = try await llm.requests()
        #expect(sent.first?["body"]?.jsonText.contains("Lower 'quick' timeout to 30 s") == true, "the model is given the measured findings")
    }

    @Test func aStepThatFailsNowAndThenGetsARetryPolicy() async throws {
        let scene = try FixSuggestionTests.Scene()
        defer { scene.box.remove() }
        let counter = scene.box.directory.appendingPathComponent("counter").path
        let workflow = try WorkflowCodec.load("""
            name: shaky
            nodes:
              - {id: start, type: trigger.manual}
              - {id: fetch, type: integration.script, configuration: {script: "n=$(cat \(counter) 2>/dev/null || echo 0); echo $((n+1)) > \(counter); [ $((n % 3)) -ne 0 ] || exit 1"}}
            """).workflow
        for _ in 0..<12 { _ = try await scene.run(workflow) }
        let analysis = try await Optimizer(store: scene.box.store).analyse("shaky")
        let flaky = try #require(analysis.offered.first { $0.rule == "flaky_node" }, "\(analysis.offered.map(\.rule)) \(analysis.dropped)")
        #expect(flaky.rationale.contains("4 of its 12 attempts failed"))
        #expect(flaky.patch.jsonText.contains("retry_count"))
        await #expect(try FixAdvisor(store: scene.box.store).apply(flaky.id).workflow.nodes[1].retryCount == 2)
    }

    @Test func overlappingScheduledRunsAreStopped() async throws {
        let scene = try FixSuggestionTests.Scene()
        defer { scene.box.remove() }
        let workflow = try WorkflowCodec.load("""
            name: ticking
            nodes:
              - {id: tick, type: trigger.schedule, configuration: {schedule: "* * * * *", allow_overlap: true}}
              - {id: work, type: integration.script, configuration: {script: "sleep 0.3"}}
            """).workflow
        for _ in 0..<5 {
            let first = try await scene.engine.enqueue(workflow, trigger: "tick")
            let second = try await scene.engine.enqueue(workflow, trigger: "tick")
            async let a = scene.engine.runToEnd(first.id)
            async let b = scene.engine.runToEnd(second.id)
            _ = try await (a, b)
        }
        let analysis = try await Optimizer(store: scene.box.store).analyse("ticking")
        let overlap = try #require(analysis.offered.first { $0.rule == "overlapping_runs" }, "\(analysis.offered.map(\.rule))")
        #expect(overlap.patch == [["op": "replace", "path": "/workflow/nodes/0/configuration/allow_overlap", "value": false]])
    }
}
