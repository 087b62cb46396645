import WindFlowCore

/// The guesses a reference repair makes: which earlier step a name means, which declared field a word means, which
/// of the request's facts a name stands for.
extension ReferenceSite {
    /// Words models write for a field, and the outputs they mean, in order of preference.
    static let fieldSynonyms: [String: [String]] = [
        "output": ["stdout", "output", "body", "summary"], "result": ["stdout", "result", "body", "value", "healthy", "valid"],
        "results": ["results", "rows", "stdout"], "text": ["stdout", "body", "summary", "output"], "log": ["stdout", "output"],
        "logs": ["stdout", "output"], "message": ["summary", "stdout", "body", "error"], "summary": ["summary", "stdout", "output", "body"],
        "report": ["summary", "report_file", "stdout"], "response": ["body"], "content": ["body", "stdout"], "data": ["body", "rows", "values", "stdout"],
        "json": ["body"], "status": ["status", "healthy", "valid", "exit_code", "branch"], "code": ["status", "exit_code"],
        "status_code": ["status"], "exit": ["exit_code"], "returncode": ["exit_code"], "return_code": ["exit_code"],
        "success": ["healthy", "valid", "sent"], "ok": ["healthy", "valid"], "passed": ["healthy", "valid"], "health": ["healthy", "summary"],
        "url": ["endpoint"], "file": ["backup_file", "report_file", "path"], "filename": ["backup_file", "report_file", "path"],
        "size": ["size_bytes", "size"], "duration": ["duration_ms", "elapsed_ms", "waited_seconds"], "time": ["elapsed_ms", "duration_ms", "deployed_at"],
        "error": ["stderr", "error"], "errors": ["errors", "problems", "stderr"], "count": ["row_count", "count"],
        "version": ["commit"], "sha": ["commit"], "hash": ["commit"], "metric": ["value"], "usage": ["cpu_usage", "value"],
        "services": ["unhealthy", "services"], "failed": ["unhealthy", "failed"],
    ]

    /// The declared output a field name means: the one sharing a word with it (`cpu` → `cpu_usage`), one it starts
    /// (`exit` → `exit_code`), then the usual synonyms (`output` → `stdout`).
    static func nearestField(_ field: String, among names: [String]) -> String? {
        let words = Set(field.lowercased().split(separator: "_").map(String.init).filter { $0.count >= 3 })
        let sharing = names.filter { !words.isDisjoint(with: $0.split(separator: "_").map(String.init)) }
        if sharing.count == 1 { return sharing[0] }
        let lowered = field.lowercased()
        let prefixed = names.filter { lowered.count >= 3 && ($0.hasPrefix(lowered) || lowered.hasPrefix($0)) }
        if prefixed.count == 1 { return prefixed[0] }
        return fieldSynonyms[lowered]?.first { names.contains($0) }
    }

    /// The earlier step a name that is no step means: its id, label or type spelled near (certain), or sharing a word
    /// with it (a guess, the nearest such step when several do; one whose type has `field` first).
    func closestStep(_ root: String, field: String?) -> (index: Int, certain: Bool)? {
        func names(_ index: Int) -> [String] {
            let step = workflow.nodes[index]
            let short = String(step.type.split(separator: ".").last ?? "")
            return [step.id, step.name.map(Validator.normalizedID) ?? "", short, step.type.replacingOccurrences(of: ".", with: "_")].filter { !$0.isEmpty }
        }
        let wanted = Validator.normalizedID(root)
        if let exact = upstream.first(where: { names($0).contains(wanted) }) { return (exact, true) }
        let near = upstream.filter { closestMatch(to: root, among: names($0)) != nil }
        if near.count == 1 { return (near[0], true) }
        let words = Set(wanted.split(separator: "_").map(String.init).filter { $0.count >= 3 })
        let sharing = (near.isEmpty ? upstream : near).filter { index in
            names(index).contains { name in
                let parts = Set(name.split(separator: "_").map(String.init))
                return !words.isDisjoint(with: parts) || (wanted.count >= 4 && (name.hasPrefix(wanted) || wanted.hasPrefix(name)))
            }
        }
        // A guess must at least have the field read: `check_2` (a condition) is not what `health_check.summary` means.
        let declaring = sharing.filter { index in
            guard let field, let type = registry.type(workflow.nodes[index].type) else { return true }
            return type.hasDynamicOutputs || type.output(field) != nil
        }
        return declaring.first.map { ($0, false) }
    }

    /// The action type a name spells (`health_check`, `windflow_health_check` → windflow.health_check).
    func typeNamed(_ name: String) -> String? {
        let wanted = Validator.normalizedID(name)
        return registry.types.first { type in
            !type.isTrigger && type.category != .logic
                && (type.id.split(separator: ".").last.map(String.init) == wanted || type.id.replacingOccurrences(of: ".", with: "_") == wanted)
        }?.id
    }

    /// The action type whose steps output `name` (`summary` → windflow.health_check): the one the request names
    /// when several do, else the only one.
    func producer(of name: String) -> String? {
        let producers = registry.types.filter { !$0.isTrigger && $0.category != .logic && $0.output(name) != nil }.map(\.id)
        if let named = producers.first(where: { facts?.actions.contains($0) == true }) { return named }
        return producers.count == 1 ? producers[0] : nil
    }

    /// The value the request states for a name the plan reads (`stack` → the request's stack), when it states one.
    func factValue(_ name: String) -> String? {
        guard let facts else { return nil }
        let single = { (values: [String]) in values.count == 1 ? values[0] : nil }
        switch name.lowercased() {
        case "stack", "stack_id", "stack_name": return facts.stack
        case "environment", "env", "target_environment", "environment_name": return facts.environments.count == 1 ? facts.environment : nil
        case "service", "service_id", "service_name": return single(facts.services)
        case "url", "endpoint", "health_url": return single(facts.urls)
        case "email", "recipient", "to", "email_to": return single(facts.emails)
        case "channel", "slack_channel": return facts.slackChannel
        case "path", "file", "file_path": return facts.path
        case "replicas": return facts.replicas.map(String.init)
        case "threshold", "limit": return facts.threshold.map { JSONValue.format($0) }
        default: return nil
        }
    }
}
