import Testing
@testable import WindFlowCore

struct NodeRegistryTests {
    static let seedTypes = [
        "trigger.manual", "trigger.schedule", "trigger.webhook", "trigger.event", "trigger.file",
        "windflow.deploy_stack", "windflow.scale_service", "windflow.backup_data", "windflow.validate_stack",
        "windflow.get_metrics", "windflow.health_check", "windflow.renew_certificates",
        "logic.condition", "logic.switch", "logic.loop", "logic.merge", "logic.wait", "logic.stop",
        "integration.http", "integration.notification", "integration.script", "integration.database",
        "integration.git", "integration.monitoring", "integration.cloud",
    ]

    @Test func everySeedTypeIsRegistered() {
        #expect(NodeRegistry.standard.ids == Self.seedTypes)
    }

    @Test(arguments: NodeRegistry.standard.types)
    func everyTypeIsFullyDescribed(_ type: NodeType) {
        #expect(type.id.hasPrefix(type.category.rawValue + "."))
        #expect(!type.displayName.isEmpty && !type.summary.isEmpty && !type.icon.isEmpty)
        #expect(type.isTrigger == (type.category == .trigger))
        #expect(Set(type.parameters.map(\.name)).count == type.parameters.count, "duplicate parameter names")
        for parameter in type.parameters {
            #expect(!parameter.description.isEmpty, "\(type.id).\(parameter.name) has no description")
            if let defaultValue = parameter.defaultValue, let allowed = parameter.allowedValues, case .string(let text) = defaultValue {
                #expect(allowed.contains(text), "\(type.id).\(parameter.name) default is not allowed")
            }
        }
        for group in type.requiresOneOf {
            #expect(group.allSatisfy { type.parameter($0) != nil })
        }
    }

    @Test(arguments: NodeRegistry.standard.types)
    func examplesAndDefaultsPassTheirOwnChecks(_ type: NodeType) throws {
        // Each parameter's example and default, put in a node, raise no parameter problem.
        for parameter in type.parameters {
            for value in [parameter.example, parameter.defaultValue].compactMap({ $0 }) {
                let node = WorkflowNode(id: "n", type: type.id, configuration: [parameter.name: value])
                let run = ValidationRun(workflow: Workflow(name: "t", nodes: [node]), registry: .standard)
                let problems = run.check(value, spec: parameter, type: parameter.type, path: { "p" }, node: "n")
                #expect(problems.isEmpty, "\(type.id).\(parameter.name) = \(value.jsonText): \(problems)")
            }
        }
    }

    @Test func closestTypeFindsTyposAndBareNames() {
        let registry = NodeRegistry.standard
        #expect(registry.closestType(to: "integration.htpp") == "integration.http")
        #expect(registry.closestType(to: "http") == "integration.http")
        #expect(registry.closestType(to: "Logic.Condition") == "logic.condition")
        #expect(registry.closestType(to: "kubernetes.apply") == nil)
    }

    @Test func aTypeRegisteredInCodeIsValidatedAndInTheSchema() throws {
        var registry = NodeRegistry.standard
        registry.register(NodeType(
            id: "acme.ticket", category: .integration, displayName: "Open ticket", summary: "Opens a ticket.", icon: "ticket",
            parameters: [ParameterSpec("queue", .string, required: true, allowed: ["ops", "dev"], description: "The queue.")],
            outputs: [OutputField("ticket_id", .string, "The ticket.")]))
        let yaml = workflowYAML(
            nodes: "    - {id: t, type: acme.ticket, configuration: {queue: opz}}\n    - {id: s, type: logic.stop, configuration: {message: \"{{ t.ticket_idd }}\"}}",
            edges: "    - {source: start, target: t}\n    - {source: t, target: s}")
        let report = try validate(yaml, registry: registry)
        #expect(report.problems.map(\.code) == [.invalidEnumValue, .unknownOutputField])
        #expect(try validate(yaml).problems(.unknownNodeType).count == 1)
        let schema = WorkflowSchema.generate(registry: registry)
        #expect(schema["definitions"]?["configuration.acme.ticket"]?["required"] == ["queue"])
    }

    @Test func aParameterCanBeRequiredByAnothersValue() throws {
        let hmac = try validate("name: t\nnodes: [{id: h, type: trigger.webhook, configuration: {webhook_path: /x, authentication: hmac}}]")
        let problem = try #require(hmac.problems(.missingParameter).first)
        #expect(problem.path == "nodes[0].configuration.hmac_secret")
        #expect(problem.message.contains("when authentication is hmac"))
        #expect(problem.suggestion == "e.g. hmac_secret: \"{{ secrets.GITHUB_WEBHOOK_SECRET }}\"")
        // The default (token) needs nothing more: the service makes a token.
        #expect(try validate("name: t\nnodes: [{id: h, type: trigger.webhook, configuration: {webhook_path: /x}}]").problems.isEmpty)
        // A list parameter triggers the rule when it contains the value.
        let notify = try validate(workflowYAML(
            nodes: "    - {id: n, type: integration.notification, configuration: {channels: [log, webhook], message: hi}}",
            edges: "    - {source: start, target: n}"))
        #expect(notify.problems(.missingParameter).map(\.path) == ["nodes[1].configuration.webhook_url"])
    }
}
