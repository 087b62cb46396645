import Foundation
import WindFlowCore
import WindFlowStore

/// Fix suggestions for a failed execution: the deterministic rules first, then (when a model is configured and no
/// rule applies) the model. Every suggestion is a patch that has been applied and validated; one that does not
/// validate is dropped, never offered. Suggestions are stored with their evidence.
public struct FixAdvisor: Sendable {
    public let store: any WindFlowStorage
    public let registry: NodeRegistry
    /// For the model's suggestions; nil: rules only.
    public let designer: Designer?

    /// Where suggestions and applied fixes get their time from.
    public let clock: any WallClock
    /// Whether the rules are asked first (off only to measure the model alone).
    public let usesRules: Bool

    public init(store: any WindFlowStorage, registry: NodeRegistry = .standard, designer: Designer? = nil, clock: any WallClock = SystemClock(),
                usesRules: Bool = true) {
        self.clock = clock
        self.usesRules = usesRules
        self.store = store
        self.registry = registry
        self.designer = designer
    }

    /// What came of asking: the suggestions offered (stored), and those dropped with the reason.
    public struct Advice: Sendable {
        public var offered: [SuggestionRecord]
        public var dropped: [(title: String, reason: String)]
    }

    /// - Throws: ``DesignError`` when the execution does not exist or did not fail.
    public func suggest(for executionID: String) async throws -> Advice {
        let context = try await failureContext(executionID)
        var candidates = usesRules ? FixRules.all.compactMap { $0(context) } : []
        var source = "rule"
        if candidates.isEmpty, let designer, designer.provider != nil {
            candidates = try await modelCandidates(context, designer: designer)
            source = "llm"
        }
        var advice = Advice(offered: [], dropped: [])
        let earlier = try await store.suggestions(workflow: context.workflow.id, execution: nil, limit: 500).filter { $0.nodeID == context.node.id && $0.status == .applied }
        for var candidate in candidates {
            // What came of the same advice before: applied, and the runs after it still failed → say so, trust it less.
            if let previous = earlier.first(where: { $0.rule == candidate.rule }), let outcome = try await store.outcome(of: previous), outcome.finished > 0 {
                let failed = outcome.finished - outcome.succeeded
                if failed * 2 >= outcome.finished {
                    candidate.confidence = (candidate.confidence * 0.5 * 100).rounded() / 100
                    candidate.rationale += " The same kind of change (\(previous.id), version \(previous.appliedVersion ?? 0)) was applied before and \(failed) of the \(outcome.finished) runs after it still failed: look further than this."
                } else {
                    candidate.rationale += " The same kind of change (\(previous.id)) was applied before and \(outcome.succeeded) of the \(outcome.finished) runs after it succeeded."
                }
            }
            if !candidate.isAction {
                do {
                    _ = try WorkflowPatcher.apply(candidate.patch, to: context.workflow.workflow, registry: registry)
                } catch {
                    advice.dropped.append((candidate.title, "\(error)"))
                    continue
                }
            }
            if candidate.isAction, case .object(var evidence) = candidate.evidence {
                evidence["commands"] = .array(candidate.commands.map(JSONValue.string))
                candidate.evidence = .object(evidence)
            }
            var record = SuggestionRecord(
                kind: candidate.isAction ? "action" : "fix", workflowID: context.workflow.id, workflowVersion: context.workflow.version, executionID: context.execution.id,
                nodeID: context.node.id, rule: candidate.rule, title: candidate.title, rationale: candidate.rationale,
                confidence: candidate.confidence, patch: candidate.patch.jsonValue, evidence: candidate.evidence, source: source,
                createdAt: clock.now())
            record.id = try await store.saveSuggestion(record)
            advice.offered.append(record)
        }
        return advice
    }

    /// The failed execution, its workflow version, the failed node and that node's history.
    public func failureContext(_ executionID: String) async throws -> FailureContext {
        guard let execution = try await store.execution(matching: executionID) else { throw DesignError("there is no execution '\(executionID)'") }
        guard execution.status == .failed else {
            throw DesignError("execution \(execution.id) \(execution.status == .succeeded ? "succeeded" : "is \(execution.status.rawValue)"): there is nothing to fix")
        }
        guard let workflow = try await store.workflow(execution.workflowID, version: execution.workflowVersion) else {
            throw DesignError("the workflow of execution \(execution.id) is no longer stored")
        }
        let runs = try await store.nodeRuns(of: execution.id)
        guard let failed = runs.last(where: { $0.status == .failed && ($0.nodeID == execution.errorNode || execution.errorNode == nil) })
            ?? runs.last(where: { $0.status == .failed }),
            let index = workflow.workflow.nodes.firstIndex(where: { $0.id == failed.nodeID })
        else {
            throw DesignError("execution \(execution.id) failed outside any node (\(execution.errorMessage ?? "no message")); nothing to patch")
        }
        var context = await FailureContext(
            execution: execution, workflow: workflow, nodeIndex: index, node: workflow.workflow.nodes[index], run: failed,
            history: try store.nodeHistory(workflow: workflow.id, node: failed.nodeID))
        if let kind = failed.errorKind, let found = try await store.precedent(workflow: workflow.id, node: failed.nodeID, kind: kind, before: workflow.version),
            let failedNode = try await store.workflow(workflow.id, version: found.failed)?.workflow.node(failed.nodeID),
            let fixedNode = try await store.workflow(workflow.id, version: found.fixed)?.workflow.node(failed.nodeID)
        {
            context.precedent = (found.failed, found.fixed, failedNode, fixedNode)
        }
        for run in runs { if let output = run.output { context.outputs[run.nodeID] = output } }
        context.knownURLs = Self.literalURLs(in: try await store.workflows(activeOnly: false).map(\.workflow))
        return context
    }

    /// The URLs written as they are (no `{{ }}`) in the url, endpoint and repository parameters of `workflows`.
    static func literalURLs(in workflows: [Workflow]) -> [String] {
        var found: [String] = []
        for node in workflows.flatMap(\.nodes) {
            for key in ["url", "endpoint", "repository"] {
                if case .string(let url)? = node.configuration[key], !Template.containsPlaceholder(url), !found.contains(url) { found.append(url) }
            }
        }
        return found
    }

    /// Asks the model for a change to the failed node or an action (prompts `fix` and `fix-request`, see
    /// ``ModelFix``), with every secret — the designer's and the store's — redacted from what it is shown.
    private func modelCandidates(_ context: FailureContext, designer: Designer) async throws -> [FixCandidate] {
        guard let provider = designer.provider else { return [] }
        let stored = try await store.secrets()
        let redactor = Redactor(secrets: designer.secrets.merging(stored) { $1 })
        let system = designer.prompts.render("fix", [:])
        let request = redactor.redact(designer.prompts.render("fix-request", ModelFix.requestValues(context, registry: registry)))
        let schema = ModelFix.schema(for: registry.type(context.node.type))
        var call = LLMRequest(system: system, messages: [LLMMessage(.user, request)], schema: schema, purpose: "fix")
        call.strictSchema = schema
        call.grammar = CompactGrammar(schema, keysFirst: ModelFix.keyOrder).text
        call.maxTokens = ModelFix.maxTokens
        let completion = try await provider.completeRecorded(call, at: clock.now(), record: { [store] in await LLMCallLog.record($0, in: store) })
        let text = ResponseParser.outermostObject(completion.text) ?? completion.text
        guard let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), var candidate = ModelFix.candidate(answer, context) else { return [] }
        // What the model writes is shown to people and stored: no secret it may have echoed.
        candidate.title = redactor.redact(candidate.title)
        candidate.rationale = redactor.redact(candidate.rationale)
        candidate.commands = candidate.commands.map { redactor.redact($0) }
        return [candidate]
    }

    /// Applies an offered suggestion: a new version of its workflow.
    /// - Throws: ``DesignError`` when it does not exist, was already applied, or no longer applies to the current version.
    public func apply(_ id: String) async throws -> WorkflowRecord {
        guard let suggestion = try await store.suggestion(id) else { throw DesignError("there is no suggestion '\(id)'") }
        guard suggestion.status == .offered else { throw DesignError("suggestion \(suggestion.id) was already \(suggestion.status.rawValue)") }
        guard suggestion.kind != "action" else {
            throw DesignError("suggestion \(suggestion.id) is something to do outside the workflow (\(suggestion.title)); there is nothing to apply: "
                + "do what it says, then run again")
        }
        guard let current = try await store.workflow(suggestion.workflowID, version: nil) else { throw DesignError("its workflow is no longer stored") }
        let patch: JSONPatch
        do { patch = try JSONPatch(json: suggestion.patch) } catch { throw DesignError("suggestion \(suggestion.id) holds a broken patch: \(error)") }
        let patched: Workflow
        do { patched = try WorkflowPatcher.apply(patch, to: current.workflow, registry: registry) } catch {
            throw DesignError("suggestion \(suggestion.id) was made for version \(suggestion.workflowVersion) and no longer applies to version \(current.version): \(error)")
        }
        guard let saved = try await store.applySuggestion(suggestion.id, workflow: patched, now: clock.now()) else {
            throw DesignError("suggestion \(suggestion.id) was decided meanwhile")
        }
        return saved
    }
}
