import Foundation
import WindFlowCore
import WindFlowStore

/// Designs stored as proposals, and the user's decision on them: only a valid proposal can be accepted, and only
/// an accepted one becomes a workflow version (and so can run).
public struct Proposals: Sendable {
    public let store: any WindFlowStorage
    public let designer: Designer

    /// Where proposals and decisions get their time from.
    public let clock: any WallClock

    public init(store: any WindFlowStorage, designer: Designer, clock: any WallClock = SystemClock()) {
        self.clock = clock
        self.store = store
        var designer = designer
        let previous = designer.recordCall
        designer.recordCall = { call in
            await previous?(call)
            await LLMCallLog.record(call, in: store)
        }
        self.designer = designer
    }

    /// Designs `prose` (changing `current` when given: a stored workflow, or one read from a file) and stores the
    /// result as a proposal; an edit of a stored workflow records the version it changes.
    /// - Throws: ``DesignError`` for an empty or huge request; ``LLMError`` when the model cannot be used.
    public func propose(_ prose: String, editing current: Workflow? = nil, progress: (@Sendable (DesignProgress) -> Void)? = nil) async throws -> (ProposalRecord, Design) {
        let trimmed = prose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DesignError("describe the workflow you want: the request is empty") }
        guard trimmed.count <= 20_000 else { throw DesignError("the request is \(trimmed.count) characters; keep it under 20,000") }
        var base: WorkflowRecord?
        if let current { base = try await store.workflow(current.name, version: nil) }
        let started = clock.now()
        var design = try await designer.design(trimmed, editing: current, progress: progress)
        if current == nil, var workflow = design.workflow {
            workflow.name = try await uniqueName(workflow.name)
            design.workflow = workflow
        }
        let record = ProposalRecord(
            id: "", prose: trimmed, workflowName: design.workflow?.name ?? OfflinePlanner.title(trimmed), baseWorkflowID: base?.id,
            baseVersion: base?.version, definition: design.workflow.map { WorkflowCodec.yaml($0, registry: designer.registry) },
            valid: design.isValid, report: .array(design.report.problems.map(\.jsonValue)), rounds: .array(design.rounds.map(\.jsonValue)),
            provider: design.provider, model: design.model, promptTokens: design.promptTokens, completionTokens: design.completionTokens,
            latencyMs: design.latency * 1000, explanation: design.explanation, assumptions: design.assumptions, diff: design.diff,
            createdAt: clock.now())
        let id = try await store.saveProposal(record)
        try await store.attachLLMCalls(since: started, purposeIn: ["design", "repair"], toProposal: id)
        return await (try store.proposal(id) ?? record, design)
    }

    /// Turns a valid proposal into a new workflow version, activated when asked.
    /// - Throws: ``DesignError`` when the proposal does not exist, was already decided, or is not valid (with its
    ///   problems).
    public func accept(_ id: String, activate: Bool = false) async throws -> WorkflowRecord {
        guard let proposal = try await store.proposal(id) else { throw DesignError("there is no proposal '\(id)'") }
        guard proposal.status == .proposed else {
            throw DesignError("proposal \(proposal.id) was already \(proposal.status.rawValue)" + (proposal.acceptedVersion.map { " (version \($0))" } ?? ""))
        }
        guard let definition = proposal.definition, let loaded = try? WorkflowCodec.load(definition) else {
            throw DesignError("proposal \(proposal.id) holds no workflow: the model never produced one that could be read; design again")
        }
        // Validated again: the registry may have changed since it was proposed.
        let report = designer.validator.validate(loaded)
        guard proposal.valid, report.isValid else {
            let problems = report.errors.prefix(5).map { "  " + $0.description }.joined(separator: "\n")
            throw DesignError("proposal \(proposal.id) is not valid and cannot be accepted:\n\(problems)\nedit it, or design again")
        }
        guard let saved = try await store.acceptProposal(proposal.id, workflow: loaded.workflow, activate: activate, now: clock.now()) else {
            throw DesignError("proposal \(proposal.id) was decided meanwhile")
        }
        return saved
    }

    public func discard(_ id: String) async throws {
        guard let proposal = try await store.proposal(id) else { throw DesignError("there is no proposal '\(id)'") }
        guard try await store.discardProposal(proposal.id, now: clock.now()) else {
            throw DesignError("proposal \(proposal.id) was already \(proposal.status.rawValue)")
        }
    }

    /// `name`, or `name (2)`, `name (3)`… when a stored workflow already has it (accepting must not silently become
    /// a new version of an unrelated workflow).
    private func uniqueName(_ name: String) async throws -> String {
        var candidate = name
        var suffix = 2
        while try await store.workflow(candidate, version: nil) != nil {
            candidate = "\(name) (\(suffix))"
            suffix += 1
        }
        return candidate
    }
}

extension Designer {
    var validator: Validator { Validator(registry: registry) }
}

extension DesignRound {
    public var jsonValue: JSONValue {
        [
            "round": .int(number), "purpose": .string(purpose), "outcome": .string(outcome),
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
            "latency_ms": .double((latency * 1000).rounded()), "errors": .array(errors.map { .string($0) }),
            "fixes": .array(fixes.map { .string($0) }),
        ]
    }
}
