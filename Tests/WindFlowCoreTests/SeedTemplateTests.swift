import Testing
@testable import WindFlowCore

/// The seed document's three templates, pasted verbatim into Fixtures/.
struct SeedTemplateTests {
    @Test func template1LoadsAndValidatesClean() throws {
        let report = try validate(try fixture("seed-template-1-deploy-with-tests.yaml"))
        #expect(report.problems.isEmpty, "\(report.problems)")
        let workflow = try WorkflowCodec.load(try fixture("seed-template-1-deploy-with-tests.yaml")).workflow
        #expect(workflow.nodes.count == 7)
        #expect(workflow.edges.count == 6)
        // retry_count written inside configuration is a node setting.
        let smoke = try #require(workflow.node("smoke_tests"))
        #expect(smoke.retryCount == 5)
        #expect(smoke.configuration["retry_count"] == nil)
        #expect(smoke.effectiveTimeout == 300)
    }

    @Test func template2ReportsItsTwoUndefinedBranchTargets() throws {
        let report = try validate(try fixture("seed-template-2-auto-scaling.yaml"))
        #expect(report.errors.count == 2)
        let targets = report.problems(.unknownEdgeTarget)
        #expect(targets.count == 2)
        #expect(targets.contains { $0.message.contains("'emergency_rollback'") && $0.message.contains("(true)") })
        #expect(targets.contains { $0.message.contains("'notify_scaling_success'") && $0.message.contains("(false)") })
        // The line is the true_branch / false_branch line of the source file.
        #expect(targets.map(\.line) == [42, 43])
        #expect(report.warnings.isEmpty)
    }

    @Test func template2ShorthandsBecomeNodesAndEdges() throws {
        let workflow = try WorkflowCodec.load(try fixture("seed-template-2-auto-scaling.yaml")).workflow
        #expect(workflow.nodes.first?.id == "trigger")
        #expect(workflow.nodes.first?.type == "trigger.schedule")
        #expect(workflow.nodes.first?.configuration["schedule"] == "*/5 * * * *")
        // Listed order without edges; a condition continues on its true output.
        #expect(workflow.edges.contains(Edge(source: "trigger", target: "collect_metrics")))
        #expect(workflow.edges.contains(Edge(source: "analyze_load", target: "scale_up", branch: "true")))
        #expect(workflow.edges.contains(Edge(source: "rollback_if_needed", target: "emergency_rollback", branch: "true")))
        #expect(workflow.edges.contains(Edge(source: "rollback_if_needed", target: "notify_scaling_success", branch: "false")))
        #expect(workflow.node("rollback_if_needed")?.configuration["true_branch"] == nil)
    }

    @Test func template3LoadsAndValidatesClean() throws {
        let report = try validate(try fixture("seed-template-3-maintenance.yaml"))
        #expect(report.problems.isEmpty, "\(report.problems)")
        let workflow = try WorkflowCodec.load(try fixture("seed-template-3-maintenance.yaml")).workflow
        #expect(workflow.nodes.map(\.id) == [
            "trigger", "backup_databases", "cleanup_old_images", "update_certificates", "health_check_all", "generate_report",
        ])
        #expect(workflow.edges.count == 5)
    }

    @Test func seedConditionParsesAndEvaluates() throws {
        let template = try Template.parse("{{ collect_metrics.cpu_usage > 80 or collect_metrics.request_rate > 1000 }}")
        let busy = ExpressionScope(["collect_metrics": ["cpu_usage": 85.5, "request_rate": 10]])
        let calm = ExpressionScope(["collect_metrics": ["cpu_usage": 12, "request_rate": 999]])
        let flood = ExpressionScope(["collect_metrics": ["cpu_usage": 12, "request_rate": 1500]])
        #expect(try template.render(in: busy) == true)
        #expect(try template.render(in: calm) == false)
        #expect(try template.render(in: flood) == true)
    }
}
