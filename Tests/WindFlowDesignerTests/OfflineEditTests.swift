import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// Offline edits change what the prose names and keep every other node; certain reference fixes need no model.
struct OfflineEditTests {
    func editor() throws -> (OfflineEditor, TemplateCatalog) {
        let templates = try TemplateCatalog()
        let recommender = TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: []))
        return (OfflineEditor(registry: .standard, planner: OfflinePlanner(recommender: recommender)), templates)
    }

    func unchanged(_ ids: [String], _ before: Workflow, _ after: Workflow) -> Bool {
        ids.allSatisfy { id in after.node(id)?.type == before.node(id)?.type && after.node(id)?.configuration == before.node(id)?.configuration }
    }

    @Test func aStepOnTheFailureOfANamedOneHangsOnItsErrorBranch() throws {
        let (editor, templates) = try editor()
        let current = try #require(templates.entry("uptime-monitor")?.workflow)
        let edit = editor.edit(current, prose: "also email ops@example.org when the check_site step fails")
        let added = try #require(edit.workflow.edges.first { $0.source == "check_site" && $0.branch == "error" })
        #expect(edit.workflow.node(added.target)?.type == "integration.notification")
        #expect(edit.workflow.node("check_site")?.errorHandling == .branch)
        #expect(unchanged(["check_latency", "notify_slow", "site_up", "notify_down"], current, edit.workflow))
        #expect(Validator(registry: .standard).validate(edit.workflow).isValid)
        #expect(!edit.changes.isEmpty)
    }

    @Test func removingAStepReconnectsItsNeighbours() throws {
        let (editor, templates) = try editor()
        let current = try #require(templates.entry("nightly-database-backup")?.workflow)
        let edit = editor.edit(current, prose: "remove the log_success step")
        #expect(edit.workflow.node("log_success") == nil)
        #expect(edit.workflow.edges.allSatisfy { $0.source != "log_success" && $0.target != "log_success" })
        #expect(unchanged(["backup_db", "check_size", "notify_too_small"], current, edit.workflow))
    }

    @Test func aNewScheduleChangesOnlyTheTrigger() throws {
        let (editor, templates) = try editor()
        let current = try #require(templates.entry("database-report-to-chat")?.workflow)
        let edit = editor.edit(current, prose: "run it every weekday at 8:30 instead")
        #expect(edit.workflow.nodes.first { $0.type == "trigger.schedule" }?.configuration["schedule"] == "30 8 * * 1-5")
        #expect(unchanged(["daily_summary", "stuck_orders", "post_report"], current, edit.workflow))
    }

    @Test func proseWithNoOperationChangesNothingAndSaysHowToWriteOne() throws {
        let (editor, templates) = try editor()
        let current = try #require(templates.entry("hello")?.workflow)
        let edit = editor.edit(current, prose: "make it nicer")
        #expect(edit.workflow == current)
        #expect(edit.assumptions.contains { $0.contains("nothing was changed") })
    }

    @Test func referencesTheValidatorCanCorrectAreCorrected() throws {
        let yaml = """
            name: t
            nodes:
              - {id: start, type: trigger.schedule, configuration: {schedule: "0 3 * * *"}}
              - {id: fetch, type: integration.http, configuration: {url: "https://example.org/{{ trigger.scheduled_tim }}"}}
              - {id: tell, type: integration.notification, configuration: {channels: [log], message: "{{ fetch.stauts }} {{ fetsh.body }}"}}
            edges: [{source: start, target: fetch}, {source: fetch, target: tell}]
            """
        let workflow = try WorkflowCodec.load(yaml).workflow
        let report = Validator(registry: .standard).validate(workflow)
        let repair = ReferenceRepair.apply(report, to: workflow)
        let (fixed, fixes) = (repair.workflow, repair.fixes)
        #expect(Validator(registry: .standard).validate(fixed).isValid, "\(Validator(registry: .standard).validate(fixed).errors)")
        #expect(fixed.node("tell")?.configuration["message"] == "{{ fetch.status }} {{ fetch.body }}")
        #expect(fixed.node("fetch")?.configuration["url"] == "https://example.org/{{ trigger.scheduled_time }}")
        #expect(fixes.count == 3)
    }
}
