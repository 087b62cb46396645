import WindFlowCore
import WindFlowStore

extension ProposalRecord {
    /// The proposal as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        let proposal = self
        var object: [String: JSONValue] = [
            "id": .string(proposal.id), "status": .string(proposal.status.rawValue), "prose": .string(proposal.prose),
            "workflow_name": .string(proposal.workflowName), "valid": .bool(proposal.valid), "problems": proposal.report,
            "rounds": proposal.rounds, "provider": .string(proposal.provider), "model": .string(proposal.model),
            "prompt_tokens": .int(proposal.promptTokens), "completion_tokens": .int(proposal.completionTokens),
            "latency_ms": .double(proposal.latencyMs.rounded()), "explanation": .string(proposal.explanation),
            "assumptions": .array(proposal.assumptions.map { .string($0) }), "created_at": .timestamp(proposal.createdAt),
        ]
        if let definition = proposal.definition {
            object["definition"] = .string(definition)
            if let loaded = try? WorkflowCodec.load(definition) { object["workflow"] = WorkflowCodec.jsonValue(loaded.workflow) }
        }
        if let diff = proposal.diff { object["diff"] = .string(diff) }
        if let id = proposal.baseWorkflowID { object["base"] = ["workflow_id": .string(id), "version": .int(proposal.baseVersion ?? 0)] }
        if let version = proposal.acceptedVersion { object["accepted_version"] = .int(version) }
        return .object(object)
    }

}

extension TemplateRecommender.Recommendation {
    /// The recommendation as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        let recommendation = self
        var object: [String: JSONValue] = [
            "source": .string(recommendation.source), "id": .string(recommendation.id), "name": .string(recommendation.name),
            "description": .string(recommendation.description), "score": .double((recommendation.score * 1000).rounded() / 1000),
            "relevance": .double((recommendation.relevance * 1000).rounded() / 1000), "reason": .string(recommendation.reason),
        ]
        if let runs = recommendation.runs { object["runs"] = ["succeeded": .int(runs.succeeded), "finished": .int(runs.finished)] }
        return .object(object)
    }
}

extension SuggestionRecord {
    /// The suggestion as the API and `--format json` show it.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "kind": .string(kind), "workflow_id": .string(workflowID), "workflow_version": .int(workflowVersion),
            "rule": .string(rule), "title": .string(title), "rationale": .string(rationale), "confidence": .double(confidence),
            "patch": patch, "evidence": evidence, "source": .string(source), "status": .string(status.rawValue),
            "created_at": .timestamp(createdAt),
        ]
        if let executionID { object["execution_id"] = .string(executionID) }
        if let nodeID { object["node_id"] = .string(nodeID) }
        if let appliedVersion { object["applied_version"] = .int(appliedVersion) }
        return .object(object)
    }
}
