import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner

/// References a small model gets wrong in its plans, resolved without a model round where the intent is certain or
/// well guessed, and made plain text (with the assumption said) where free text reads nothing.
struct ReferenceRepairTests {
    let validator = Validator(registry: .standard)

    /// Compiles a plan as a model wrote it, repairs its references, and returns the outcome and what is left.
    func repaired(_ json: String, prose: String = "") throws -> (ReferenceRepair.Outcome, ValidationReport) {
        let read = DesignPlan.read(try JSONValue.parse(json))
        let plan = try #require(read.plan, "\(read.problems)")
        let workflow = PlanCompiler().compile(plan).workflow
        let before = validator.validate(workflow)
        #expect(!before.isValid, "the plan should need a repair")
        let outcome = ReferenceRepair.apply(before, to: workflow, facts: ProseFacts(prose))
        return (outcome, validator.validate(outcome.workflow))
    }

    func message(_ outcome: ReferenceRepair.Outcome, _ id: String, _ key: String = "message") -> String? {
        outcome.workflow.node(id)?.configuration[key]?.stringValue
    }

    @Test func anOutputReadBareIsReadFromTheEarlierStepThatHasIt() throws {
        let (outcome, report) = try repaired("""
            {"name": "Health", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 * * * *"}},
             "steps": [{"type": "windflow.health_check", "name": "check", "with": {"stack_id": "shop"}},
                       {"type": "integration.notification", "name": "tell", "with": {"channels": ["discord"], "message": "Health: {{ summary }}"}}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        #expect(message(outcome, "tell") == "Health: {{ check.summary }}")
        #expect(outcome.assumptions.contains { $0.contains("check") && $0.contains("summary") })
    }

    @Test func aStepReadByANearNameOrItsTypeIsReadByItsName() throws {
        let (outcome, report) = try repaired("""
            {"name": "Deploy", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "windflow.deploy_stack", "name": "deploy_prod", "with": {"stack_id": "shop", "environment": "production"}},
                       {"type": "windflow.health_check", "name": "health", "with": {"stack_id": "shop"}},
                       {"type": "integration.notification", "name": "tell", "with": {"channels": ["slack"],
                        "message": "{{ deploy.environment }} {{ health_check.summary }}"}}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        #expect(message(outcome, "tell") == "{{ deploy_prod.environment }} {{ health.summary }}")
    }

    @Test func aFieldTheStepDoesNotDeclareBecomesItsNearestDeclaredField() throws {
        let (outcome, report) = try repaired("""
            {"name": "CPU", "trigger": {"type": "trigger.schedule", "with": {"schedule": "*/5 * * * *"}},
             "steps": [{"type": "windflow.get_metrics", "name": "metrics", "with": {"stack_id": "shop"}},
                       {"if": "{{ metrics.cpu > 80 }}", "then": [{"type": "integration.http", "name": "run", "with": {"url": "https://ops.example.org/scale"}},
                         {"type": "integration.notification", "name": "tell", "with": {"channels": ["log"], "message": "{{ run.response }}"}}]}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        let condition = outcome.workflow.nodes.first { $0.type == "logic.condition" }?.configuration["condition"]?.stringValue
        #expect(condition == "{{ metrics.cpu_usage > 80 }}")
        #expect(message(outcome, "tell") == "{{ run.body }}")
        #expect(outcome.assumptions.contains { $0.contains("'body' was read instead") })
    }

    @Test func aNameThatIsNoStepIsTheManualTriggersInputAndTheRunAsksForIt() throws {
        let (outcome, report) = try repaired("""
            {"name": "Deploy", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "{{ stack_name }}", "environment": "production", "image_tag": "{{ image_tag }}"}}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        #expect(outcome.workflow.node("deploy")?.configuration["stack_id"] == "{{ trigger.stack_name }}")
        #expect(outcome.workflow.node("deploy")?.configuration["image_tag"] == "{{ trigger.image_tag }}")
        let inputs = outcome.workflow.nodes[0].configuration["inputs"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(Set(inputs ?? []) == ["stack_name", "image_tag"])
        #expect(outcome.assumptions.contains { $0.contains("trigger.image_tag") && $0.contains("asked") })
    }

    @Test func anEnvironmentThePersonPicksIsTheManualTriggersInputNotAStepToAdd() throws {
        let (outcome, report) = try repaired("""
            {"name": "Manual deploy", "trigger": {"type": "trigger.manual", "with": {"inputs": []}},
             "steps": [{"type": "windflow.validate_stack", "name": "validate", "with": {"stack_id": "shop", "environment": "{{ environment }}", "validation_level": "strict"}},
                       {"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "shop", "environment": "{{ environment }}"}}]}
            """, prose: "Manual deploy where I pick the environment from a list (dev, staging, production). If it's production, validate the stack strictly before deploying.")
        #expect(report.isValid, "\(report.errors)")
        #expect(outcome.workflow.node("deploy")?.configuration["environment"] == "{{ trigger.environment }}")
        #expect(outcome.hints.isEmpty)
        #expect(ProseFacts("validate the stack strictly, then deploy").stack == nil)
    }

    @Test func aTriggerFieldAScheduleDoesNotHaveIsTheRequestsOwnValue() throws {
        let (outcome, report) = try repaired("""
            {"name": "Backup", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 2 * * *"}},
             "steps": [{"type": "windflow.backup_data", "name": "backup", "with": {"stack_id": "{{ trigger.stack }}"}}]}
            """, prose: "every night at 2am back up the billing stack")
        #expect(report.isValid, "\(report.errors)")
        #expect(outcome.workflow.node("backup")?.configuration["stack_id"] == "billing")
        #expect(outcome.assumptions.contains { $0.contains("'billing'") })
    }

    @Test func aFileTriggersOutputWrittenOneLevelTooDeepIsReadWhereItIs() throws {
        let (outcome, report) = try repaired("""
            {"name": "Import", "trigger": {"type": "trigger.file", "with": {"path": "/data/imports"}},
             "steps": [{"if": "{{ trigger.file.event == 'created' }}", "then": [{"type": "integration.script", "name": "load", "with": {"script": "echo load"}}]}]}
            """, prose: "when a csv file is dropped into /data/imports, load it")
        #expect(report.isValid, "\(report.errors)")
        let condition = outcome.workflow.nodes.first { $0.type == "logic.condition" }?.configuration["condition"]?.stringValue
        #expect(condition == "{{ trigger.event == 'created' }}")
    }

    @Test func aReferenceInAMessageThatReadsNothingBecomesPlainTextAndIsSaid() throws {
        let (outcome, report) = try repaired("""
            {"name": "Report", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 8 * * 1-5"}},
             "steps": [{"type": "integration.http", "name": "orders", "with": {"url": "https://shop.example.org/api/orders"}},
                       {"type": "integration.notification", "name": "tell", "with": {"channels": ["email"], "to": ["ops@example.org"],
                        "subject": "Orders {{ trigger.report_date }}", "message": "Done: {{ zzz.qqq }}"}}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        #expect(message(outcome, "tell") == "Done: zzz.qqq")
        #expect(message(outcome, "tell", "subject") == "Orders trigger.report_date")
        #expect(outcome.assumptions.filter { $0.contains("plain text") }.count == 2)
    }

    @Test func aBraceLeftOpenIsClosedAfterItsPath() throws {
        let (outcome, report) = try repaired("""
            {"name": "Deploy", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "shop", "environment": "staging"}},
                       {"type": "integration.notification", "name": "tell", "with": {"channels": ["log"], "message": "deployed {{ deploy.environment } at {{ deploy.deployed_at"}}]}
            """)
        #expect(report.isValid, "\(report.errors)")
        #expect(message(outcome, "tell") == "deployed {{ deploy.environment }} at {{ deploy.deployed_at }}")
        #expect(outcome.fixes.count == 2)
    }

    @Test func aPlaceholderInsideAnotherIsOneExpressionAndANameTheRequestStatesIsItsValue() throws {
        let (outcome, report) = try repaired("""
            {"name": "Scale", "trigger": {"type": "trigger.webhook", "with": {"webhook_path": "/gitlab"}},
             "steps": [{"if": "{{ trigger.replicas > {{ threshold }} }}", "then": [{"type": "windflow.scale_service", "name": "scale",
                        "with": {"stack_id": "shop", "service_id": "worker", "replicas": 4}}]}]}
            """, prose: "when gitlab calls us and the queue is above 500, scale the worker service of shop to 4 replicas")
        #expect(report.isValid, "\(report.errors)")
        let condition = outcome.workflow.nodes.first { $0.type == "logic.condition" }?.configuration["condition"]?.stringValue
        #expect(condition == "{{ trigger.replicas > 500 }}")
    }

    @Test func aReferenceOutsideFreeTextThatNothingResolvesIsLeftForTheModel() throws {
        let (outcome, report) = try repaired("""
            {"name": "Scale", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 8 * * *"}},
             "steps": [{"type": "windflow.scale_service", "name": "scale", "with": {"stack_id": "shop", "service_id": "web", "replicas": "{{ zzz.qqq }}"}}]}
            """)
        #expect(!report.isValid)
        #expect(report.errors.contains { $0.code == .unknownReference })
        #expect(outcome.assumptions.isEmpty)
    }

    @Test func anOutputOfAStepThePlanLacksIsAskedOfTheModelWhileARoundIsLeftThenMadePlainText() throws {
        let json = """
            {"name": "Deploy", "trigger": {"type": "trigger.manual", "with": {}},
             "steps": [{"type": "windflow.deploy_stack", "name": "deploy", "with": {"stack_id": "shop", "environment": "production"}},
                       {"type": "integration.notification", "name": "mail", "with": {"channels": ["email"], "message": "Summary: {{ summary }}"}}]}
            """
        let workflow = PlanCompiler().compile(try #require(DesignPlan.read(try JSONValue.parse(json)).plan)).workflow
        let report = validator.validate(workflow)
        let prose = "deploy shop to production, then run a health check and email the summary to ops@example.org"
        let asking = ReferenceRepair.apply(report, to: workflow, facts: ProseFacts(prose), askModel: true)
        #expect(asking.hints.count == 1 && asking.hints[0].contains("windflow.health_check"), "\(asking.hints)")
        #expect(!validator.validate(asking.workflow).isValid)
        let last = ReferenceRepair.apply(report, to: workflow, facts: ProseFacts(prose), askModel: false)
        #expect(validator.validate(last.workflow).isValid)
        #expect(message(last, "mail") == "Summary: summary")
        #expect(last.assumptions.contains { $0.contains("windflow.health_check") && $0.contains("plain text") })
    }

    @Test func aSmallLocalModelsValidPlanThatNamesAnotherStackIsAlignedWithoutARound() async throws {
        let answer = """
            {"name":"Restart","trigger":{"type":"trigger.manual","with":{}},"steps":[{"type":"windflow.deploy_stack","name":"deploy","with":{"stack_id":"app","environment":"production"}}]}
            """
        let templates = try TemplateCatalog()
        var designer = Designer(prompts: try PromptLibrary(), templates: templates,
                                recommender: TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: [])),
                                provider: CannedModel(answers: [answer]))
        designer.repairsFactsAlone = false
        let design = try await designer.design("deploy the shop stack to production")
        #expect(design.isValid && design.repairs == 0, "\(design.rounds.map(\.errors))")
        #expect(design.workflow?.node("deploy")?.configuration["stack_id"] == "shop")
        #expect(design.assumptions.contains { $0.contains("stack_id 'app' → 'shop'") })
    }

    @Test func aStepReadByTheNameOfATypeThePlanLacksIsAskedOfTheModel() throws {
        let json = """
            {"name": "Hourly health", "trigger": {"type": "trigger.schedule", "with": {"schedule": "0 * * * *"}},
             "steps": [{"if": "{{ health_check.healthy == false }}", "name": "check_2",
                        "then": [{"type": "integration.notification", "name": "tell", "with": {"channels": ["discord"], "message": "{{ health_check.summary }}"}}]}]}
            """
        let workflow = PlanCompiler().compile(try #require(DesignPlan.read(try JSONValue.parse(json)).plan)).workflow
        let outcome = ReferenceRepair.apply(validator.validate(workflow), to: workflow, askModel: true)
        #expect(outcome.fixes.isEmpty, "\(outcome.fixes)")
        #expect(outcome.hints.contains { $0.contains("windflow.health_check") }, "\(outcome.hints)")
    }

    @Test func aDesignByPlanRecordsTheRepairsAssumptionsInTheProposal() async throws {
        let answer = """
            {"name":"Health","trigger":{"type":"trigger.schedule","with":{"schedule":"0 * * * *"}},"steps":[{"type":"windflow.health_check","name":"check","with":{"stack_id":"shop"}},{"type":"integration.notification","name":"tell","with":{"channels":["discord"],"message":"{{ summary }}"}}]}
            """
        let templates = try TemplateCatalog()
        let designer = Designer(prompts: try PromptLibrary(), templates: templates,
                                recommender: TemplateRecommender(candidates: TemplateRecommender.candidates(catalog: templates, workflows: [])),
                                provider: CannedModel(answers: [answer]))
        let design = try await designer.design("every hour check the health of the shop stack and post the summary to discord")
        #expect(design.isValid, "\(design.report.errors)")
        #expect(design.repairs == 0)
        #expect(design.assumptions.contains { $0.contains("summary") })
    }
}

/// A model that gives the same answer to every call, counting none of the wire.
struct CannedModel: LLMProvider {
    let answers: [String]
    var name: String { "canned" }
    var model: String { "canned" }

    func complete(_ request: LLMRequest, progress: (@Sendable (LLMProgress) -> Void)?) async throws -> LLMCompletion {
        let turn = request.messages.filter { $0.role == .assistant }.count
        return LLMCompletion(text: answers[min(turn, answers.count - 1)], model: model, promptTokens: 0, completionTokens: 0, latency: 0, attempts: 1)
    }
}
