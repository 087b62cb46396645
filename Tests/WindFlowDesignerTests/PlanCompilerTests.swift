import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// Plans compiled into workflows: every block form, nesting, error branches, references by name; the way back on
/// every template; garbage that must give clear errors.
struct PlanCompilerTests {
    let compiler = PlanCompiler()

    func compile(_ json: String) throws -> (PlanCompiler.Output, ValidationReport, [Problem]) {
        let read = DesignPlan.read(try JSONValue.parse(json))
        let plan = try #require(read.plan, "\(read.problems)")
        let output = compiler.compile(plan)
        let report = Validator(registry: .standard).validate(output.workflow)
        return (output, report, read.problems)
    }

    func edges(_ workflow: Workflow) -> Set<String> {
        Set(workflow.edges.map { "\($0.source)-\($0.branch ?? "")->\($0.target)" })
    }

    @Test func aChainOfActionsBecomesAChainOfNodesNamedAfterTheSteps() throws {
        let (output, report, _) = try compile("""
            {"name": "Nightly backup", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 3 * * *"}},
             "steps": [{"type": "windflow.backup_data", "name": "backup", "with": {"stack_id": "shop"}, "retry": 2},
                       {"type": "integration.notification", "name": "tell", "with": {"channels": ["log"], "message": "backed up {{ backup.backup_file }}"}}]}
            """)
        #expect(report.isValid, "\(report.problems)")
        #expect(output.workflow.nodes.map(\.id) == ["trigger", "backup", "tell"])
        #expect(edges(output.workflow) == ["trigger-->backup", "backup-->tell"])
        #expect(output.workflow.node("backup")?.retryCount == 2)
    }

    @Test func ifThenElseBranchesAndJoinsWithoutLabelsInThePlan() throws {
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "integration.http", "name": "probe", "with": {"url": "http://127.0.0.1/health"}},
                       {"if": "{{ probe.status == 200 }}", "then": [{"type": "integration.notification", "name": "ok", "with": {"channels": ["log"], "message": "up"}}],
                        "else": [{"type": "integration.notification", "name": "down", "with": {"channels": ["log"], "message": "down"}}]},
                       {"type": "integration.notification", "name": "after", "with": {"channels": ["log"], "message": "done"}}]}
            """)
        #expect(report.isValid, "\(report.problems)")
        #expect(edges(output.workflow) == ["trigger-->probe", "probe-->check", "check-true->ok", "check-false->down", "ok-->after", "down-->after"])
    }

    @Test func switchLoopParallelWaitAndStop() throws {
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.webhook", "with": {"webhook_path": "/go", "authentication": "none"}},
             "steps": [
               {"switch": "{{ trigger.env }}", "cases": [{"when": "production", "steps": [{"wait": "5m"}]}, {"when": "staging", "steps": []}],
                "default": [{"stop": "failed", "message": "unknown environment"}]},
               {"for_each": "{{ trigger.services }}", "name": "each", "do": [{"type": "integration.script", "name": "restart", "with": {"script": "echo {{ item }}"}}]},
               {"parallel": [[{"type": "integration.http", "name": "a", "with": {"url": "http://127.0.0.1/a"}}],
                             [{"type": "integration.http", "name": "b", "with": {"url": "http://127.0.0.1/b"}}]], "join": "all"},
               {"type": "integration.notification", "name": "report", "with": {"channels": ["log"], "message": "{{ each.count }} {{ a.status }}"}}]}
            """)
        #expect(report.isValid, "\(report.problems)")
        let types = output.workflow.nodes.map(\.type)
        #expect(types.contains("logic.switch") && types.contains("logic.loop") && types.contains("logic.merge") && types.contains("logic.wait") && types.contains("logic.stop"))
        let workflowEdges = edges(output.workflow)
        #expect(workflowEdges.contains("route-production->wait"))
        #expect(workflowEdges.contains("route-default->fail"))
        #expect(workflowEdges.contains("route-staging->each"))
        #expect(workflowEdges.contains("wait-->each"))
        #expect(workflowEdges.contains("each-loop->restart"))
        #expect(workflowEdges.contains("each-done->a") && workflowEdges.contains("each-done->b"))
        #expect(workflowEdges.contains("a-->join") && workflowEdges.contains("b-->join") && workflowEdges.contains("join-->report"))
    }

    @Test func anErrorBranchRunsItsStepsWhenTheActionFails() throws {
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "integration.http", "name": "fetch", "with": {"url": "http://127.0.0.1/x"},
                        "on_error": [{"type": "integration.notification", "name": "alert", "with": {"channels": ["email"], "to": ["ops@example.org"], "message": "{{ fetch.error.message }}"}}]},
                       {"type": "integration.script", "name": "use", "with": {"script": "echo ok"}, "on_error": "continue"}]}
            """)
        #expect(report.isValid, "\(report.problems)")
        #expect(output.workflow.node("fetch")?.errorHandling == .branch)
        #expect(output.workflow.node("use")?.errorHandling == .continue)
        #expect(edges(output.workflow).contains("fetch-error->alert"))
    }

    @Test func nestedBlocksCompile() throws {
        let (_, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"for_each": "{{ trigger.hosts }}", "do": [
                 {"type": "integration.http", "name": "ping", "with": {"url": "{{ item }}"}},
                 {"if": "{{ ping.status != 200 }}", "then": [{"type": "integration.notification", "name": "warn", "with": {"channels": ["log"], "message": "{{ item }} down"}}]}]}]}
            """)
        #expect(report.isValid, "\(report.problems)")
    }

    @Test func referencesByAWrittenNameOrByTypeResolveToNodeIds() throws {
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "integration.http", "name": "Get Status", "with": {"url": "http://127.0.0.1/s"}},
                       {"type": "integration.notification", "with": {"channels": ["log"], "message": "{{ Get Status.status }} {{ get_status.body }}"}},
                       {"type": "integration.script", "name": "x", "with": {"script": "echo {{ notification.results }}"}}]}
            """)
        #expect(output.workflow.nodes[1].id == "get_status")
        #expect(output.workflow.nodes[2].configuration["message"]?.stringValue?.contains("{{ get_status.body }}") == true)
        #expect(report.problems(.unknownReference).isEmpty || report.problems(.unknownReference).allSatisfy { !$0.message.contains("get_status") })
    }

    @Test func validatorProblemsAreReportedAtThePlansOwnPath() throws {
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"if": "{{ true }}", "then": [{"type": "windflow.deploy_stack", "name": "deploy", "with": {}}]},
                       {"type": "integration.http", "name": "h", "with": {"url": "{{ deplyo.endpoint }}"}}]}
            """)
        let paths = report.errors.map { output.planPath(of: $0) }
        #expect(paths.contains("steps[0].then[0].with.stack_id"), "\(paths)")
        #expect(paths.contains("steps[1].with.url"), "\(paths)")
    }

    @Test func unknownTypesAreResolvedOrReportedWithThePlanPath() throws {
        let (output, _, _) = try compile("""
            {"name": "t", "trigger": {"type": "manual", "with": {}},
             "steps": [{"type": "http_request", "name": "a", "with": {"url": "http://x"}}, {"type": "teleport.now", "name": "b", "with": {}}]}
            """)
        #expect(output.workflow.nodes.first?.type == "trigger.manual")
        #expect(output.workflow.node("a")?.type == "integration.http")
        #expect(output.fixes.contains { $0.contains("steps[0]") })
    }

    @Test func garbagePlansGiveClearErrorsNotCrashes() throws {
        let many = (0..<10_000).map { _ in "{\"type\": \"integration.http\", \"with\": {\"url\": \"http://x\"}}" }.joined(separator: ",")
        let huge = DesignPlan.read(try JSONValue.parse("{\"name\": \"t\", \"trigger\": {\"type\": \"trigger.manual\"}, \"steps\": [\(many)]}"))
        #expect(huge.problems.contains { $0.message.contains("more than \(DesignPlan.maxSteps) steps") })
        #expect((huge.plan?.steps.count ?? 0) <= DesignPlan.maxSteps)
        let noTrigger = DesignPlan.read(try JSONValue.parse("{\"steps\": []}"))
        #expect(noTrigger.plan == nil && noTrigger.problems.first?.path == "trigger")
        let notObject = DesignPlan.read(.array([1, 2]))
        #expect(notObject.plan == nil && !notObject.problems.isEmpty)
        let deep = String(repeating: "{\"if\": \"{{ true }}\", \"then\": [", count: 20) + "{\"stop\": \"failed\"}" + String(repeating: "]}", count: 20)
        let nested = DesignPlan.read(try JSONValue.parse("{\"name\": \"t\", \"trigger\": {\"type\": \"trigger.manual\"}, \"steps\": [\(deep)]}"))
        #expect(nested.problems.contains { $0.message.contains("nested more than") })
        // A reference to a later step (a cycle through names) is reported, never run.
        let (output, report, _) = try compile("""
            {"name": "t", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "integration.http", "name": "a", "with": {"url": "{{ b.body }}"}}, {"type": "integration.http", "name": "b", "with": {"url": "{{ a.body }}"}}]}
            """)
        #expect(report.problems(.referenceNotUpstream).map { output.planPath(of: $0) } == ["steps[0].with.url"])
    }

    /// Workflow → plan → workflow on every template the plan form can express: the same nodes and edges (a loop's
    /// back edge is the end of its iteration, which the plan writes by ending the body).
    @Test func everyExpressibleTemplateRoundTrips() throws {
        let catalog = try TemplateCatalog()
        var expressed = 0
        for entry in catalog.entries {
            guard let plan = PlanDecompiler.plan(entry.workflow) else { continue }
            expressed += 1
            let back = compiler.compile(plan).workflow
            let original = entry.workflow
            let triggerID = original.nodes.first { $0.type.hasPrefix("trigger.") }!.id
            func id(_ value: String) -> String { value == triggerID ? "trigger" : value }
            let originalEdges = Set(original.edges.filter { !Self.isBackEdge($0, in: original) }
                .map { "\(id($0.source))-\($0.branch ?? "")->\(id($0.target))" })
            #expect(edges(back) == originalEdges, "\(entry.id)")
            for node in original.nodes {
                let copy = back.node(id(node.id))
                #expect(copy?.type == node.type && copy.map(Self.withoutDefaults) == Self.withoutDefaults(node), "\(entry.id): \(node.id)")
                #expect(copy?.errorHandling == node.errorHandling && copy?.retryCount == node.retryCount, "\(entry.id): \(node.id)")
            }
        }
        #expect(expressed >= catalog.entries.count * 3 / 4, "\(expressed) of \(catalog.entries.count) templates expressed as plans")
        print("plan form: \(expressed) of \(catalog.entries.count) templates")
    }

    /// An edge back into a loop from its body: the end of an iteration.
    static func isBackEdge(_ edge: Edge, in workflow: Workflow) -> Bool {
        guard workflow.node(edge.target)?.type == "logic.loop" else { return false }
        var seen: Set<String> = []
        var queue = workflow.edges.filter { $0.source == edge.target && $0.branch == "loop" }.map(\.target)
        while let next = queue.popLast() {
            guard next != edge.target, seen.insert(next).inserted else { continue }
            queue += workflow.edges.filter { $0.source == next }.map(\.target)
        }
        return seen.contains(edge.source)
    }

    /// A node's configuration without the values that are its type's defaults.
    static func withoutDefaults(_ node: WorkflowNode) -> [String: JSONValue] {
        let type = NodeRegistry.standard.type(node.type)
        return node.configuration.filter { key, value in type?.parameter(key)?.defaultValue != value }
    }
}

/// The draft a small model is shown: short, and whole again once the model has answered.
struct DraftBriefTests {
    @Test func longTextsAreCutAtAWordAndNeverInsideAnExpression() {
        #expect(DraftBrief.shortened("Backup {{ backup.backup_file }} written: {{ backup.size_bytes }} bytes in {{ backup.duration_ms }} ms")
                == "Backup {{ backup.backup_file }} written:…")
        #expect(DraftBrief.shortened("Release {{ trigger.version | default('unknown') }} deployed to production, all healthy and fine") == "Release…")
        #expect(DraftBrief.shortened("SELECT count(*) AS orders\nFROM orders WHERE created_at >= now() - interval '1 day' GROUP BY status")
                == "SELECT count(*) AS orders…")
    }

    /// The usual webhook secret is not shown; it comes back on kept steps, on messages the model adds, and never over a
    /// URL the answer sets itself.
    @Test func theUsualChannelSecretIsLeftToTheCode() throws {
        let usual: JSONValue = "{{ secrets.SLACK_WEBHOOK_URL }}"
        let draft = DesignPlan(name: "Tell", trigger: PlanAction(type: "trigger.manual"), steps: [
            .action(PlanAction(type: "integration.notification", name: "tell", with: ["channels": ["slack"], "message": "done", "slack_webhook_url": usual])),
        ])
        let brief = DraftBrief(draft, registry: .standard)
        #expect(!brief.shown.jsonText.contains("SLACK_WEBHOOK_URL"), "\(brief.shown.jsonText)")
        let answer = DesignPlan(name: "Tell", trigger: PlanAction(type: "trigger.manual"), steps: [
            .action(PlanAction(type: "integration.notification", name: "tell", with: ["channels": ["slack"], "message": "done"])),
            .action(PlanAction(type: "integration.notification", name: "also", with: ["channels": ["slack", "discord", "email"], "message": "again"])),
            .action(PlanAction(type: "integration.notification", name: "own", with: ["channels": ["slack"], "message": "x", "slack_webhook_url": "{{ secrets.OPS_SLACK }}"])),
        ])
        let restored = brief.restore(answer, registry: .standard)
        guard case .action(let kept) = restored.steps[0], case .action(let added) = restored.steps[1], case .action(let own) = restored.steps[2]
        else { Issue.record("\(restored)"); return }
        #expect(kept.with["slack_webhook_url"] == usual && added.with["slack_webhook_url"] == usual)
        #expect(added.with["discord_webhook_url"] == "{{ secrets.DISCORD_WEBHOOK_URL }}" && added.with["email"] == nil)
        #expect(own.with["slack_webhook_url"] == "{{ secrets.OPS_SLACK }}")
    }

    @Test func aKeptTextComesBackWholeARewrittenOneStaysAndTextsThatWouldLookAlikeAreShownWhole() throws {
        let first = "Scaled web-app from {{ scale.previous_replicas }} to {{ scale.replicas }} replicas, CPU back to normal"
        let second = "Scaled web-app from {{ scale.previous_replicas }} to {{ scale.replicas }} replicas, CPU still high"
        let long = "The nightly backup of shop failed after its retries: {{ backup.error }}; the last good backups are kept"
        func notify(_ name: String, _ message: String) -> PlanStep {
            .action(PlanAction(type: "integration.notification", name: name, with: ["channels": ["slack"], "message": .string(message)], retry: 3))
        }
        let draft = DesignPlan(name: "Backup", trigger: PlanAction(type: "trigger.manual"), steps: [
            .action(PlanAction(type: "windflow.backup_data", name: "backup", with: ["stack_id": "shop", "compress": false], timeout: 600)),
            notify("failed", long), notify("normal", first), notify("high", second),
        ])
        let brief = DraftBrief(draft, registry: .standard)
        let shown = brief.shown.jsonText
        #expect(!shown.contains("last good backups") && shown.contains("The nightly backup of shop failed after…"), "\(shown)")
        #expect(shown.contains(first) && shown.contains(second), "two texts that would be shown alike are shown whole: \(shown)")
        #expect(!shown.contains("\"timeout\"") && !shown.contains("\"retry\"") && !shown.contains("compress"))
        // The model keeps the failure message as shown, renames nothing, and rewrites the other two.
        let answer = DesignPlan(name: "Backup", trigger: PlanAction(type: "trigger.manual"), steps: [
            .action(PlanAction(type: "windflow.backup_data", name: "backup", with: ["stack_id": "shop"])),
            notify("failed", "The nightly backup of shop failed after…"), notify("normal", "CPU is fine"),
        ])
        let restored = brief.restore(answer, registry: .standard)
        guard case .action(let backup) = restored.steps[0], case .action(let failed) = restored.steps[1], case .action(let normal) = restored.steps[2]
        else { Issue.record("\(restored)"); return }
        #expect(backup.timeout == 600 && backup.with["compress"] == false && failed.retry == 3 && normal.retry == 3)
        #expect(failed.with["message"] == .string(long))
        #expect(normal.with["message"] == "CPU is fine")
    }
}
