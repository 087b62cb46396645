import Foundation
import WindFlowCore

/// A workflow in plain words: what starts it, each step in order, where it branches, what happens on failure, and
/// which secrets and systems it touches. Written from the graph itself (no model needed); with a model, the model's
/// wording (prompts `explain` and `explain-request`).
public struct WorkflowExplainer: Sendable {
    public let registry: NodeRegistry

    public init(registry: NodeRegistry = .standard) {
        self.registry = registry
    }

    public struct Explanation: Sendable {
        public var summary: String
        public var steps: [String]
        public var risks: [String]
    }

    public func explain(_ workflow: Workflow) -> Explanation {
        let graph = WorkflowGraph(workflow, registry: registry)
        let order = graph.topologicalOrder().order
        var steps: [String] = []
        var secrets: Set<String> = [], hosts: Set<String> = []
        for index in order {
            let node = workflow.nodes[index]
            let type = registry.type(node.type)
            var line = "\(node.id): \(type?.displayName ?? node.type)" + (node.name.map { " — \($0)" } ?? "")
            let detail = Self.detail(node)
            if !detail.isEmpty { line += " (\(detail))" }
            let outgoing = workflow.edges.filter { $0.source == node.id }
            let branches = outgoing.compactMap { edge in edge.branch.map { "\($0) → \(edge.target)" } }
            if !branches.isEmpty { line += "; " + branches.joined(separator: ", ") }
            if node.retryCount > 0 { line += "; retried up to \(node.retryCount) times" }
            switch node.errorHandling {
            case .continue: line += "; a failure is recorded and the run goes on"
            case .branch: line += "; on failure it follows its error branch"
            case .stop: break
            }
            steps.append(line)
            for value in node.configuration.values { Self.collect(value, secrets: &secrets, hosts: &hosts) }
        }
        let triggers = workflow.nodes.filter { registry.type($0.type)?.isTrigger == true }
        let starts = triggers.map { Self.trigger($0) }.joined(separator: " or ")
        var summary = "\(workflow.name) starts \(starts.isEmpty ? "by hand" : starts) and runs \(workflow.nodes.count - triggers.count) step(s)."
        if let timeout = workflow.settings.timeout { summary += " It is stopped after \(JSONValue.format(timeout)) s." }
        var risks: [String] = []
        if !secrets.isEmpty { risks.append("uses the secrets " + secrets.sorted().joined(separator: ", ")) }
        if !hosts.isEmpty { risks.append("talks to " + hosts.sorted().joined(separator: ", ")) }
        let unguarded = workflow.nodes.filter { ["windflow.deploy_stack", "windflow.scale_service", "integration.database", "integration.git"].contains($0.type) && $0.errorHandling == .stop && $0.retryCount == 0 }
        if !unguarded.isEmpty { risks.append("a failure of " + unguarded.map(\.id).joined(separator: ", ") + " stops the run with no retry and no error branch") }
        if let schedule = triggers.first(where: { $0.type == "trigger.schedule" }), schedule.configuration["allow_overlap"]?.boolValue == true {
            risks.append("scheduled runs may overlap")
        }
        return Explanation(summary: summary, steps: steps, risks: risks)
    }

    static func trigger(_ node: WorkflowNode) -> String {
        switch node.type {
        case "trigger.schedule": return "on the schedule \(node.configuration["schedule"]?.renderedText ?? "?") (\(node.configuration["timezone"]?.renderedText ?? "UTC"))"
        case "trigger.webhook": return "when \(node.configuration["method"]?.renderedText ?? "POST") /webhooks\(node.configuration["webhook_path"]?.renderedText ?? "") is called"
        case "trigger.event": return "on the event \(node.configuration["event"]?.renderedText ?? "?")"
        case "trigger.file": return "when files change in \(node.configuration["path"]?.renderedText ?? "?")"
        default: return "by hand (CLI, API or editor)"
        }
    }

    static func detail(_ node: WorkflowNode) -> String {
        let keys = ["stack_id", "environment", "service_id", "replicas", "url", "method", "channels", "condition", "duration", "operation", "query"]
        return keys.compactMap { key in node.configuration[key].map { "\(key) \($0.renderedText.prefix(60))" } }.joined(separator: ", ")
    }

    static func collect(_ value: JSONValue, secrets: inout Set<String>, hosts: inout Set<String>) {
        switch value {
        case .string(let text):
            for name in CronPhrase.captures(#"secrets\.([A-Za-z0-9_]+)"#, in: text) { secrets.insert(name) }
            if let host = URLComponents(string: text)?.host, text.hasPrefix("http") { hosts.insert(host) }
        case .array(let elements): elements.forEach { collect($0, secrets: &secrets, hosts: &hosts) }
        case .object(let members): members.values.forEach { collect($0, secrets: &secrets, hosts: &hosts) }
        default: break
        }
    }

    /// The model's explanation, or nil when its answer cannot be read.
    public func explain(_ workflow: Workflow, designer: Designer) async throws -> Explanation? {
        guard let provider = designer.provider else { return explain(workflow) }
        let request = Redactor(secrets: designer.secrets).redact(designer.prompts.render("explain-request", ["workflow": WorkflowCodec.yaml(workflow, registry: registry)]))
        let schema: JSONValue = ["type": "object", "required": ["summary", "steps", "risks"], "properties": [
            "summary": ["type": "string"], "steps": ["type": "array", "items": ["type": "string"]], "risks": ["type": "array", "items": ["type": "string"]],
        ]]
        let completion = try await provider.complete(
            LLMRequest(system: designer.prompts.render("explain", [:]), messages: [LLMMessage(.user, request)], schema: schema, purpose: "explain"), progress: nil)
        let text = ResponseParser.outermostObject(completion.text) ?? completion.text
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let summary = value["summary"]?.stringValue else { return nil }
        return Explanation(summary: summary, steps: value["steps"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                           risks: value["risks"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}

extension CronPhrase {
    /// Every first capture group of `pattern` in `text`.
    static func captures(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
