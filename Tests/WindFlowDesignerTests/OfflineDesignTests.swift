import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowDesigner
@testable import WindFlowEngine
@testable import WindFlowStore

@Suite(.serialized)
struct OfflineDesignTests {
    @Test func aTemplateIsFilledInFromTheProseAndTheAssumptionsAreSaid() async throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let proposals = try box.proposals(nil)
        let (proposal, design) = try await proposals.propose(
            "Every night at 3am back up the volumes of the billing stack in staging, keep 14 days, and tell #ops on Slack")
        #expect(proposal.valid, "\(design.report.errors)")
        #expect(proposal.provider == "offline" && proposal.promptTokens == 0)
        let workflow = try #require(design.workflow)
        let trigger = try #require(workflow.nodes.first)
        #expect(trigger.type == "trigger.schedule" && trigger.configuration["schedule"] == "0 3 * * *")
        let backup = try #require(workflow.nodes.first { $0.type == "windflow.backup_data" })
        #expect(backup.configuration["stack_id"] == "billing" && backup.configuration["environment"] == "staging")
        #expect(backup.configuration["retention_days"] == 14)
        #expect(workflow.nodes.contains { $0.type == "integration.notification" && $0.configuration["channels"] == ["slack"] })
        #expect(design.assumptions.contains { $0.contains("#ops") })
        #expect(design.report.warnings.isEmpty, "\(design.report.warnings)")
        #expect(design.model.hasPrefix("template:"))
        #expect(try box.store.llmCalls().isEmpty)
    }

    /// "Upload it to the bucket" is the cloud node, uploading the backup the request makes, to the bucket and prefix
    /// it names; backing up "the database" is not a SQL step.
    @Test func anUploadToABucketSendsTheBackupThere() async throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let (proposal, design) = try await box.proposals(nil).propose(
            "every night at 3, back up the shop stack's database and upload the archive to s3://shop-backups/nightly")
        #expect(proposal.valid, "\(design.report.errors)")
        let workflow = try #require(design.workflow)
        let backup = try #require(workflow.nodes.first { $0.type == "windflow.backup_data" })
        let upload = try #require(workflow.nodes.first { $0.type == "integration.cloud" })
        #expect(upload.configuration["operation"] == "put" && upload.configuration["bucket"] == "shop-backups")
        #expect(upload.configuration["key"]?.stringValue?.hasPrefix("nightly/") == true)
        #expect(upload.configuration["source_file"] == .string("{{ \(backup.id).backup_file }}"))
        #expect(upload.configuration["secret_key"] == "{{ secrets.AWS_SECRET_ACCESS_KEY }}")
        #expect(!workflow.nodes.contains { $0.type == "integration.database" })
        let facts = ProseFacts("put the report in the bucket named team-reports")
        #expect(facts.bucket == "team-reports" && facts.bucketPrefix == nil && facts.actions.contains("integration.cloud"))
    }

    /// Verbs whose object comes a few words later still name their step: "validate the shop, blog and crm stacks",
    /// "validate it strictly", "pull the latest of our infra repo", "run make test".
    @Test func phrasesWithWordsBetweenVerbAndObjectNameTheirSteps() async throws {
        let request = "Every morning, pull the latest of our infra repo in /srv/stacks, validate the shop, blog and crm stacks, and send me the list on Slack."
        let morning = ProseFacts(request)
        #expect(morning.actions.starts(with: ["integration.git", "windflow.validate_stack"]), "\(morning.actions)")
        #expect(ProseFacts("When a stack file is dropped, validate it strictly. If it's valid, deploy it.").actions.first == "windflow.validate_stack")
        #expect(ProseFacts("On a push, pull the repo, run make test, and deploy").actions == ["integration.git", "integration.script", "windflow.deploy_stack"])
        // A request without those phrases gets none of those steps.
        #expect(ProseFacts("every hour check that https://shop.example.com is up").actions == ["integration.http"])

        let box = try DesignSandbox()
        defer { box.remove() }
        let (proposal, design) = try await box.proposals(nil).propose(request)
        #expect(proposal.valid, "\(design.report.errors)")
        let types = try #require(design.workflow).nodes.map(\.type)
        let (git, validate, notify) = (types.firstIndex(of: "integration.git"), types.firstIndex(of: "windflow.validate_stack"), types.firstIndex(of: "integration.notification"))
        #expect(git != nil && validate != nil && notify != nil, "\(types)")
        if let git, let validate, let notify { #expect(git < validate && validate < notify, "\(types)") }
    }

    /// A message to Discord or Teams gets the webhook secret the registry shows, as Slack's does.
    @Test func aMessageToAChatChannelReadsItsUsualSecret() async throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let (proposal, design) = try await box.proposals(nil).propose("Hourly health check of all services. If anything is unhealthy, alert us on Discord with the summary.")
        #expect(proposal.valid, "\(design.report.errors)")
        let message = try #require(design.workflow?.nodes.first { $0.type == "integration.notification" })
        #expect(message.configuration["channels"] == ["discord"], "\(message.configuration)")
        #expect(message.configuration["discord_webhook_url"] == "{{ secrets.DISCORD_WEBHOOK_URL }}", "\(message.configuration)")
        #expect(message.configuration["slack_webhook_url"] == nil)
    }

    @Test func aFileDropTemplateWatchesTheFolderNamed() async throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let (proposal, design) = try await box.proposals(nil).propose("When a file lands in /srv/drop, import it and email data@example.org")
        #expect(proposal.valid, "\(design.report.errors)")
        let workflow = try #require(design.workflow)
        #expect(workflow.nodes.first?.type == "trigger.file")
        #expect(workflow.nodes.first?.configuration["path"] == "/srv/drop")
    }

    @Test func withNoFittingTemplateTheNamedStepsAreChainedAndTheStandInsSaid() throws {
        let planner = OfflinePlanner(recommender: TemplateRecommender(candidates: []))
        let plan = planner.plan("When a file lands in /srv/drop, run a script on it, then email data@example.org")
        #expect(plan.template == nil)
        #expect(plan.workflow.nodes.map(\.type) == ["trigger.file", "integration.script", "integration.notification"])
        #expect(plan.workflow.edges.count == 2)
        #expect(plan.workflow.nodes.last?.configuration["email"] == ["to": ["data@example.org"]])
        #expect(plan.assumptions.contains { $0.contains("script") }, "a stand-in is said, never silent")
        #expect(Validator().validate(plan.workflow).isValid, "\(Validator().validate(plan.workflow).errors)")
    }

    @Test(arguments: [
        ("every night at 3am", "0 3 * * *"), ("weekdays at 8:30", "30 8 * * 1-5"), ("every 5 minutes", "*/5 * * * *"),
        ("every monday at 9", "0 9 * * 1"), ("hourly", "0 * * * *"), ("at midnight on the first of the month", "0 0 1 * *"),
        ("tous les jours à 7h", "0 7 * * *"), ("every 15 min", "*/15 * * * *"), ("Sundays at 2am", "0 2 * * 0"),
        ("every day at 6:45 pm", "45 18 * * *"), ("toutes les 10 minutes", "*/10 * * * *"),
    ])
    func schedulePhrasesBecomeCron(phrase: String, cron: String) {
        #expect(CronPhrase.parse(phrase)?.cron == cron)
    }

    /// The trigger the words name: from a draft, the only one a small model may write, so it must be right.
    @Test(arguments: [
        ("If the 'Nightly backup' workflow fails, wait 10 minutes and run it again", ProseFacts.TriggerKind.event),
        ("When the workflow 'Deploy' fails, email me", .event),
        ("Our monitoring posts a custom event cert.expiring with the paths; renew them", .event),
        ("when the event backup.done comes in, tell slack", .event),
        ("as soon as a .sql file shows up in /srv/migrations, run it on the db", .file),
        ("when a report is copied into /srv/in, email it", .file),
        ("when GitHub pushes to main, run the tests", .webhook),
        ("every night at 3am back up the shop stack", .schedule),
        ("restart the api service on demand", .manual),
    ])
    func theTriggerIsTheOneTheWordsName(prose: String, trigger: ProseFacts.TriggerKind) {
        #expect(ProseFacts(prose).trigger == trigger)
    }

    @Test func aRequestThatNamesNoTriggerHasNone() {
        #expect(ProseFacts("deploy the shop stack to staging").trigger == nil)
    }

    @Test func recommendationsWeighTextByRealSuccessRates() async throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, configuration: EngineConfiguration()))
        for (name, exit) in [("Nightly backup to disk", 0), ("Nightly backup to tape", 1)] {
            let workflow = try WorkflowCodec.load("""
                name: \(name)
                description: Copies the backup archives every night.
                tags: [backup, nightly]
                nodes:
                  - {id: start, type: trigger.manual}
                  - {id: copy, type: integration.script, configuration: {script: "exit \(exit)"}}
                edges: [{source: start, target: copy}]
                """).workflow
            try box.store.saveWorkflow(workflow, now: 0)
            for _ in 0..<3 { _ = try await engine.runToEnd(try await engine.enqueue(workflow).id) }
        }
        let counts = try box.store.successCounts()
        #expect(counts["Nightly backup to disk"]?.succeeded == 3 && counts["Nightly backup to tape"]?.succeeded == 0)
        let recommender = TemplateRecommender(
            candidates: TemplateRecommender.candidates(catalog: try TemplateCatalog(), workflows: try box.store.workflows().map(\.workflow)),
            history: counts)
        let ranked = recommender.recommend("nightly backup archives", limit: 10)
        let disk = try #require(ranked.firstIndex { $0.name == "Nightly backup to disk" })
        let tape = try #require(ranked.firstIndex { $0.name == "Nightly backup to tape" })
        #expect(disk < tape, "same words, better history ranks higher")
        #expect(ranked[disk].reason.contains("3 of 3 runs succeeded"))
        #expect(ranked[tape].reason.contains("0 of 3 runs succeeded"))
        #expect(recommender.recommend("rotate tls certificates before they expire").first?.id == "certificate-renewal")
        #expect(recommender.recommend("zzz qqq").isEmpty)
    }

    @Test func theBinaryCarriesThePromptsAndTemplatesOfTheRepository() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (folder, bundled) in [("Prompts", BundledPrompts.files), ("Templates", BundledTemplates.files)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .filter { $0.hasSuffix(".mustache") || $0.hasSuffix(".yaml") }
            #expect(Set(names) == Set(bundled.keys), "the EmbedResources plugin embeds every prompt and template")
            for name in names {
                let text = try String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name), encoding: .utf8)
                #expect(bundled[name] == text, "\(folder)/\(name) is embedded as it is")
            }
        }
    }

    @Test func aPromptsFolderOverridesOneTemplateAndABrokenOneIsNamed() throws {
        let box = try DesignSandbox()
        defer { box.remove() }
        let folder = box.directory.appendingPathComponent("prompts")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "Only JSON. {{{catalog}}}".write(to: folder.appendingPathComponent("design.mustache"), atomically: true, encoding: .utf8)
        let library = try PromptLibrary(overrides: folder.path)
        #expect(library.render("design", ["catalog": "C"]) == "Only JSON. C")
        #expect(library.sources["repair"] == "bundled")
        try "{{#open}} never closed".write(to: folder.appendingPathComponent("repair.mustache"), atomically: true, encoding: .utf8)
        #expect { try PromptLibrary(overrides: folder.path) } throws: { "\($0)".contains("repair.mustache") }
    }
}
