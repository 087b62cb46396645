import Foundation
import WindFlowCore

/// The designer without a model: the best-matching template, filled in with what the request states (schedule,
/// trigger kind, environment, stack, services, channels, URLs, thresholds, retention); or, when no template fits,
/// the steps the request names, in its order. Every choice it had to make is listed as an assumption.
public struct OfflinePlanner: Sendable {
    public let registry: NodeRegistry
    public let recommender: TemplateRecommender
    /// The least relevance (BM25) for which a template is used rather than steps composed from the words.
    public var minimumRelevance = 3.0

    public init(registry: NodeRegistry = .standard, recommender: TemplateRecommender) {
        self.registry = registry
        self.recommender = recommender
    }

    public struct Plan: Sendable {
        public var workflow: Workflow
        public var explanation: String
        public var assumptions: [String]
        /// The template used, when one was.
        public var template: String?
    }

    /// What a plan assumes when the request names nothing that starts it.
    public static let startedByHand = "the request says nothing of what starts it; it runs when started by hand"

    public func plan(_ prose: String) -> Plan {
        let facts = ProseFacts(prose)
        // A template is a good start only if it has every step the request names (conditions and messages aside).
        let asked = facts.actions.filter { $0 != "logic.condition" && $0 != "integration.notification" }
        // Nor if it lacks a block the words ask for (cases, branches at once, a loop).
        let blocks = Self.blocksAsked(prose)
        let fitting = recommender.recommend(prose, limit: 5).filter { recommendation in
            let types = Set(recommendation.workflow.nodes.map(\.type))
            return recommendation.relevance >= minimumRelevance && asked.allSatisfy(types.contains) && blocks.allSatisfy(types.contains)
        }
        var candidates: [Plan] = fitting.map { recommendation in
            var assumptions: [String] = []
            var workflow = recommendation.workflow
            fill(&workflow, with: facts, assumptions: &assumptions)
            let explanation = "Started from the template '\(recommendation.name)' (\(recommendation.reason)) and filled in what the request says."
            return Plan(workflow: workflow, explanation: explanation, assumptions: assumptions, template: recommendation.id)
        }
        var assumptions: [String] = []
        let composed = compose(facts, prose: prose, assumptions: &assumptions)
        candidates.append(Plan(workflow: composed, explanation: "No template fits well, so the steps the request names were chained in its order.",
                               assumptions: assumptions, template: nil))
        // The first that validates (a template's trigger swapped for another may read fields the new one lacks), else
        // the one with the fewest errors; each validated once.
        let validator = Validator(registry: registry)
        let errors = candidates.map { validator.validate($0.workflow).errors.count }
        var plan = candidates[errors.firstIndex(of: 0) ?? errors.indices.min { errors[$0] < errors[$1] }!]
        if let channel = facts.slackChannel, facts.channels.contains("slack") {
            plan.assumptions.append("Slack messages go to the channel the SLACK_WEBHOOK_URL webhook was made for (\(channel))")
        }
        plan.workflow.name = Self.title(prose)
        plan.workflow.description = prose.count > 300 ? String(prose.prefix(297)) + "…" : prose
        return plan
    }

    /// A short name from the request's first words: "Every night at 3am back up…" → "Every night at 3am back up".
    static func title(_ prose: String) -> String {
        let words = prose.split(whereSeparator: { $0.isWhitespace }).prefix(8).joined(separator: " ")
        var title = words.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!? "))
        if title.count > 60 {
            let cut = title.prefix(60)
            title = String(cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut)
        }
        return title.isEmpty ? "Designed workflow" : title.prefix(1).uppercased() + title.dropFirst()
    }

    // MARK: Filling a template

    private func fill(_ workflow: inout Workflow, with facts: ProseFacts, assumptions: inout [String]) {
        setTrigger(&workflow, facts: facts, assumptions: &assumptions)
        replace(&workflow, parameter: "environment", with: facts.environment.map { .string($0) }, label: "environment", assumptions: &assumptions)
        replace(&workflow, parameter: "stack_id", with: facts.stack.map { .string($0) }, label: "stack", assumptions: &assumptions)
        if let service = facts.services.first {
            replace(&workflow, parameter: "service_id", with: .string(service), label: "service", assumptions: &assumptions)
            replace(&workflow, parameter: "services", with: .array(facts.services.map { .string($0) }), label: "services", assumptions: &assumptions)
        }
        replace(&workflow, parameter: "retention_days", with: facts.retentionDays.map { .int($0) }, label: "retention", assumptions: &assumptions)
        replace(&workflow, parameter: "replicas", with: facts.replicas.map { .int($0) }, label: "replicas", assumptions: &assumptions)
        if workflow.nodes.contains(where: { $0.type == "integration.cloud" }) {
            replace(&workflow, parameter: "bucket", with: facts.bucket.map { .string($0) }, label: "bucket", assumptions: &assumptions)
            if let prefix = facts.bucketPrefix {
                for index in workflow.nodes.indices where workflow.nodes[index].type == "integration.cloud" {
                    guard case .string(let key)? = workflow.nodes[index].configuration["key"] else { continue }
                    let name = key.split(separator: "/").last.map(String.init) ?? key
                    workflow.nodes[index].configuration["key"] = .string(prefix + (prefix.hasSuffix("/") ? "" : "/") + name)
                }
            }
        }
        if let url = facts.urls.first {
            for index in workflow.nodes.indices where ["integration.http", "integration.monitoring"].contains(workflow.nodes[index].type) {
                workflow.nodes[index].configuration["url"] = .string(url)
            }
        }
        for index in workflow.nodes.indices where workflow.nodes[index].type == "integration.notification" && !facts.channels.isEmpty {
            workflow.nodes[index].configuration["channels"] = .array(facts.channels.map { .string($0) })
            Self.completeChannels(&workflow.nodes[index], facts: facts, registry: registry)
        }
        if let threshold = facts.threshold {
            for index in workflow.nodes.indices where workflow.nodes[index].type == "logic.condition" {
                guard case .string(let condition)? = workflow.nodes[index].configuration["condition"],
                    let replaced = Self.replacingFirstLimit(in: condition, with: threshold)
                else { continue }
                workflow.nodes[index].configuration["condition"] = .string(replaced)
                break
            }
        }
    }

    private func replace(_ workflow: inout Workflow, parameter: String, with value: JSONValue?, label: String, assumptions: inout [String]) {
        let holders = workflow.nodes.indices.filter {
            if case .string(let text)? = workflow.nodes[$0].configuration[parameter] { return !Template.containsPlaceholder(text) }
            return workflow.nodes[$0].configuration[parameter] != nil && parameter != "services"
        }
        guard let first = holders.first else { return }
        guard let value else {
            assumptions.append("no \(label) named; kept the template's \(parameter) \(workflow.nodes[first].configuration[parameter]?.jsonText ?? "")")
            return
        }
        for index in holders { workflow.nodes[index].configuration[parameter] = value }
    }

    /// The first `> N` / `>= N` limit of a condition, set to `value`.
    static func replacingFirstLimit(in condition: String, with value: Double) -> String? {
        guard let regex = try? NSRegularExpression(pattern: #"(>=?|<=?)\s*(\d+(?:\.\d+)?)"#),
            let match = regex.firstMatch(in: condition, range: NSRange(condition.startIndex..., in: condition)),
            let number = Range(match.range(at: 2), in: condition)
        else { return nil }
        var result = condition
        result.replaceSubrange(number, with: JSONValue.format(value))
        return result
    }

    private func setTrigger(_ workflow: inout Workflow, facts: ProseFacts, assumptions: inout [String]) {
        guard let index = workflow.nodes.firstIndex(where: { registry.type($0.type)?.isTrigger == true }) else { return }
        let current = workflow.nodes[index]
        // A request that says nothing of what starts it runs by hand.
        let wanted = "trigger." + (facts.trigger ?? .manual).rawValue
        if facts.trigger == nil, current.type != wanted {
            assumptions.append(Self.startedByHand)
        }
        if wanted != current.type {
            workflow.nodes[index] = WorkflowNode(id: current.id, type: wanted, name: nil, configuration: starter(wanted, facts: facts, assumptions: &assumptions))
        } else if wanted == "trigger.file" {
            if let path = facts.path { workflow.nodes[index].configuration["path"] = .string(path) }
            else { assumptions.append("no folder named; kept the template's path \(current.configuration["path"]?.jsonText ?? "")") }
        } else if wanted == "trigger.schedule" {
            if let schedule = facts.schedule {
                workflow.nodes[index].configuration["schedule"] = .string(schedule.cron)
                workflow.nodes[index].name = nil
                if let assumption = schedule.assumption { assumptions.append("schedule: \(assumption)") }
            } else {
                assumptions.append("no schedule given; kept the template's \(current.configuration["schedule"]?.jsonText ?? "")")
            }
        }
    }

    // MARK: Composing from the words

    private func compose(_ facts: ProseFacts, prose: String, assumptions: inout [String]) -> Workflow {
        let triggerType = "trigger." + (facts.trigger ?? .manual).rawValue
        if facts.trigger == nil { assumptions.append(Self.startedByHand) }
        let trigger = PlanAction(type: triggerType, with: starter(triggerType, facts: facts, assumptions: &assumptions))
        var planner = ProsePlanner(planner: self, facts: facts)
        var steps = planner.steps(prose, assumptions: &assumptions)
        if steps.isEmpty { steps = [.stop(name: "done", failed: false, message: nil)] }
        return PlanCompiler(registry: registry).compile(DesignPlan(name: "", trigger: trigger, steps: steps)).workflow
    }

    /// The node types of the blocks the words ask for: cases, branches at once.
    static func blocksAsked(_ prose: String) -> [String] {
        let text = " " + prose.lowercased() + " "
        var types: [String] = []
        if ProsePlanner.firstRange(of: ProsePlanner.parallelMarkers, in: text) != nil { types.append("logic.merge") }
        let caseWords = ProsePlanner.caseVocabularies.map { vocabulary in
            vocabulary.1.filter { text.range(of: #"(\bfor |if it'?s |\b)"# + $0.spoken + #"\s*[:,]"#, options: .regularExpression) != nil
                || text.contains("for \($0.spoken)") }.count
        }
        if caseWords.contains(where: { $0 >= 2 }) { types.append("logic.switch") }
        return types
    }

    /// A condition on what the step before it outputs: a load above the limit, a failed check.
    private func condition(after previous: WorkflowNode?, limit: Double?) -> String? {
        guard let previous, let type = registry.type(previous.type), !type.isTrigger else { return nil }
        let limitText = JSONValue.format(limit ?? 80)
        if let field = ["cpu_usage", "usage", "value"].first(where: { type.output($0) != nil })
            ?? type.outputs.first(where: { $0.type == .number || $0.type == .integer })?.name
        {
            return "{{ \(previous.id).\(field) > \(limitText) }}"
        }
        if let flag = type.outputs.first(where: { $0.type == .boolean }) { return "{{ not \(previous.id).\(flag.name) }}" }
        return nil
    }

    static func uniqueID(for type: String, in nodes: [WorkflowNode]) -> String {
        let base = String(type.split(separator: ".").last ?? "step")
        var id = base
        var suffix = 2
        while nodes.contains(where: { $0.id == id }) {
            id = "\(base)_\(suffix)"
            suffix += 1
        }
        return id
    }

    /// The setting each channel reads, dropped from a node that no longer sends there (a template's Slack URL once
    /// the request says email).
    static let channelSettings = ["slack": "slack_webhook_url", "discord": "discord_webhook_url", "teams": "teams_webhook_url",
                                  "webhook": "webhook_url", "email": "email"]

    static func completeChannels(_ node: inout WorkflowNode, facts: ProseFacts, registry: NodeRegistry) {
        let channels = node.configuration["channels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (channel, setting) in channelSettings where !channels.contains(channel) { node.configuration[setting] = nil }
        addUsualChannelSecrets(&node.configuration, registry: registry)
        if channels.contains("email"), !facts.emails.isEmpty {
            node.configuration["email"] = ["to": .array(facts.emails.map { .string($0) })]
        }
    }

    /// A message to Slack, Discord or Teams that names no webhook gets the secret the registry shows for it
    /// (`{{ secrets.SLACK_WEBHOOK_URL }}`).
    static func addUsualChannelSecrets(_ configuration: inout [String: JSONValue], registry: NodeRegistry) {
        guard let type = registry.type("integration.notification") else { return }
        for channel in configuration["channels"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            guard let setting = channelSettings[channel], configuration[setting] == nil,
                let parameter = type.parameter(setting), parameter.isSecret, let usual = parameter.example
            else { continue }
            configuration[setting] = usual
        }
    }

    /// An upload to the bucket the request names (`s3://bucket/prefix`, "the bucket shop-backups"), of the backup
    /// when the request makes one, with credentials from the usual secrets.
    func cloudStarter(facts: ProseFacts, assumptions: inout [String]) -> [String: JSONValue] {
        let bucket = facts.bucket, prefix = facts.bucketPrefix ?? ""
        if bucket == nil { assumptions.append("no bucket named; used 'backups' (set bucket)") }
        assumptions.append("the bucket is reached with the secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (set endpoint and path_style for R2, B2 or MinIO)")
        var configuration: [String: JSONValue] = [
            "operation": "put", "bucket": .string(bucket ?? "backups"),
            "access_key": "{{ secrets.AWS_ACCESS_KEY_ID }}", "secret_key": "{{ secrets.AWS_SECRET_ACCESS_KEY }}",
        ]
        if facts.actions.contains("windflow.backup_data") {
            configuration["source_file"] = "{{ backup_data.backup_file }}"
            configuration["key"] = .string(prefix + (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + "{{ trigger.scheduled_time }}.tar.gz")
        } else {
            assumptions.append("the upload sends the previous step's output as JSON; set content or source_file")
            configuration["content"] = "{{ trigger }}"
            configuration["key"] = .string(prefix + (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + "upload.json")
        }
        return configuration
    }

    /// A first configuration for a node of `type` from the facts, with stand-ins said as assumptions.
    func starter(_ type: String, facts: ProseFacts, assumptions: inout [String]) -> [String: JSONValue] {
        func stack() -> JSONValue {
            if let stack = facts.stack { return .string(stack) }
            assumptions.append("no stack named; used 'app' (set stack_id)")
            return "app"
        }
        let environment: JSONValue = .string(facts.environment ?? "production")
        switch type {
        case "trigger.schedule":
            let cron = facts.schedule?.cron ?? "0 2 * * *"
            if facts.schedule == nil { assumptions.append("no schedule given; runs daily at 02:00 UTC") }
            if let assumption = facts.schedule?.assumption { assumptions.append("schedule: \(assumption)") }
            return ["schedule": .string(cron), "timezone": "UTC"]
        case "trigger.webhook":
            let github = facts.actions.contains("integration.git")
            assumptions.append(github ? "the webhook checks GitHub's HMAC signature with the secret WEBHOOK_SECRET" : "callers send the secret WEBHOOK_TOKEN in X-WindFlow-Token")
            return github
                ? ["webhook_path": "/hooks/incoming", "method": "POST", "authentication": "hmac", "hmac_secret": "{{ secrets.WEBHOOK_SECRET }}"]
                : ["webhook_path": "/hooks/incoming", "method": "POST", "authentication": "token", "token": "{{ secrets.WEBHOOK_TOKEN }}"]
        case "trigger.event":
            return ["event": "execution.failed"]
        case "trigger.file":
            if facts.path == nil { assumptions.append("no folder named; watches /data/incoming") }
            return ["path": .string(facts.path ?? "/data/incoming/*"), "events": ["created"]]
        case "trigger.manual":
            return [:]
        case "windflow.deploy_stack", "windflow.validate_stack", "windflow.health_check", "windflow.renew_certificates":
            return ["stack_id": stack(), "environment": environment]
        case "windflow.backup_data":
            var configuration: [String: JSONValue] = ["stack_id": stack(), "environment": environment]
            if let days = facts.retentionDays { configuration["retention_days"] = .int(days) }
            return configuration
        case "windflow.get_metrics":
            var configuration: [String: JSONValue] = ["stack_id": stack(), "environment": environment, "metrics": ["cpu_usage", "memory_usage"]]
            if !facts.services.isEmpty { configuration["services"] = .array(facts.services.map { .string($0) }) }
            return configuration
        case "windflow.scale_service":
            if facts.services.isEmpty { assumptions.append("no service named; used 'web' (set service_id)") }
            var configuration: [String: JSONValue] = ["stack_id": stack(), "environment": environment, "service_id": .string(facts.services.first ?? "web")]
            if let replicas = facts.replicas { configuration["replicas"] = .int(replicas) } else { configuration["scale_factor"] = 2 }
            return configuration
        case "integration.http":
            if facts.urls.isEmpty { assumptions.append("no URL given; set the url of the HTTP step") }
            return ["method": "GET", "url": .string(facts.urls.first ?? "https://example.org/health")]
        case "integration.monitoring":
            return ["url": .string(facts.urls.first ?? "http://127.0.0.1:9090"), "source": "prometheus_query", "query": "up"]
        case "integration.script":
            assumptions.append("the script step only echoes; write its commands")
            return ["script": "echo 'replace with your commands'"]
        case "integration.database":
            assumptions.append("the database is read from the secret DATABASE_URL; write the query")
            return ["driver": "postgresql", "connection": "{{ secrets.DATABASE_URL }}", "query": "SELECT 1"]
        case "integration.git":
            return ["operation": "pull", "directory": "/srv/app"]
        case "integration.cloud":
            return cloudStarter(facts: facts, assumptions: &assumptions)
        case "integration.notification":
            let channels = facts.channels.isEmpty ? ["slack"] : facts.channels
            if facts.channels.isEmpty { assumptions.append("no channel named; notifies Slack") }
            return ["channels": .array(channels.map { .string($0) }), "message": "The workflow finished."]
        case "logic.condition":
            let limit = facts.threshold.map { JSONValue.format($0) } ?? "80"
            assumptions.append("the condition compares the previous step's value with \(limit); check the field it reads")
            return ["condition": .string("{{ trigger.value > \(limit) }}")]
        case "logic.loop":
            if facts.services.count < 2 { assumptions.append("the loop goes over a stand-in list: set its items") }
            let items = facts.services.count > 1 ? facts.services : ["first", "second"]
            return ["items": .array(items.map { .string($0) })]
        case "logic.switch":
            assumptions.append("the switch's cases are examples: set its value and cases")
            return ["value": "{{ trigger.body.severity }}", "cases": [["name": "critical", "equals": "critical"], ["name": "warning", "equals": "warning"]]]
        case "logic.merge":
            return ["mode": "wait_all"]
        case "logic.wait":
            return ["duration": "5m"]
        default:
            return [:]
        }
    }
}

