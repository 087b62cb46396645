import Foundation
import WindFlowCore
import WindFlowStore

/// A failed run as the fix rules see it.
public struct FailureContext: Sendable {
    public var execution: ExecutionRecord
    public var workflow: WorkflowRecord
    public var nodeIndex: Int
    public var node: WorkflowNode
    /// The failed attempt.
    public var run: NodeRunRecord
    public var history: NodeHistory
    /// The same failure in an earlier version, and the node as it was in the version that fixed it.
    public var precedent: (failedVersion: Int, fixedVersion: Int, failed: WorkflowNode, fixed: WorkflowNode)?
    /// What the other nodes of the run produced, by node id (the last attempt of each that has an output).
    public var outputs: [String: JSONValue] = [:]
    /// The literal URLs the store's workflows call (url, endpoint, repository), to compare a failing one with.
    public var knownURLs: [String] = []

    var message: String { run.errorMessage ?? execution.errorMessage ?? "" }
    /// The failure's structured facts (HTTP status, exit code, error class), what the rules match on.
    var details: FailureDetails { run.errorDetails ?? FailureDetails() }
    var pointer: String { WorkflowPatcher.node(nodeIndex) }
}

/// A change a rule (or the model) proposes, before it is validated and stored.
public struct FixCandidate: Sendable {
    public var rule: String
    public var title: String
    public var rationale: String
    public var confidence: Double
    public var patch: JSONPatch
    public var evidence: JSONValue
    /// For a failure the workflow cannot fix (a secret not set, a host that is down): what to do outside it, each
    /// step an exact command or API call. Such a candidate has an empty patch and is never applied.
    public var commands: [String] = []

    /// Whether this is something to do outside the workflow rather than a change to it.
    public var isAction: Bool { patch.operations.isEmpty && !commands.isEmpty }
}

/// The deterministic fix rules, tried before any model: each reads the failure and the node's history and proposes
/// one exact change, or nothing.
public enum FixRules {
    /// In the order they are offered: patches before actions, and within each the more certain first.
    static let all: [@Sendable (FailureContext) -> FixCandidate?] = [
        earlierFix, deployHealth, requestTimeout, timeout, unreachableHost, FirstFailurePatches.misspelledHost, transientHTTP, credentials,
        cloudRegion, missingCommand, missingField,
    ] + FirstFailurePatches.all + [
        FixActions.missingSecret, FixActions.rejectedSecret, FixActions.cloudCredentials, FixActions.nothingListening, FixActions.unknownHost,
    ] + FirstFailureActions.all

    static func evidence(_ context: FailureContext) -> [String: JSONValue] {
        var evidence: [String: JSONValue] = [
            "error_kind": .string(context.run.errorKind?.rawValue ?? ""), "error": .string(context.message),
            "attempts": .int(context.history.attempts), "succeeded": .int(context.history.succeeded), "failed": .int(context.history.failed),
            "retries": .int(context.history.retries), "failures_by_kind": .object(context.history.failuresByKind.mapValues { .int($0) }),
        ]
        if let p95 = context.history.percentile(0.95) { evidence["p95_ms"] = .double(p95.rounded()) }
        if let p50 = context.history.percentile(0.5) { evidence["p50_ms"] = .double(p50.rounded()) }
        return evidence
    }

    /// The same failure was fixed before by a change that is gone now → that change again.
    static let earlierFix: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard let precedent = context.precedent else { return nil }
        let before = WorkflowPatcher.document(Workflow(name: "x", nodes: [precedent.failed])), fixed = WorkflowPatcher.document(Workflow(name: "x", nodes: [precedent.fixed]))
        let now = WorkflowPatcher.document(Workflow(name: "x", nodes: [context.node]))
        guard let old = before["workflow"]?["nodes"]?.arrayValue?.first?.objectValue, let good = fixed["workflow"]?["nodes"]?.arrayValue?.first?.objectValue,
            let current = now["workflow"]?["nodes"]?.arrayValue?.first?.objectValue
        else { return nil }
        var operations: [JSONPatch.Operation] = []
        var changes: [String] = []
        for key in Set(old.keys).union(good.keys).sorted() where key != "id" && old[key] != good[key] && current[key] != good[key] {
            if let value = good[key] {
                operations.append(.init(.add, context.pointer + "/" + JSONPatch.escape(key), value: value))
                changes.append("\(key) \(current[key]?.jsonText ?? "unset") → \(value.jsonText)")
            } else if current[key] != nil {
                operations.append(.init(.remove, context.pointer + "/" + JSONPatch.escape(key)))
                changes.append("\(key) removed")
            }
        }
        guard !operations.isEmpty else { return nil }
        return FixCandidate(
            rule: "earlier_fix", title: "Restore what fixed this in version \(precedent.fixedVersion)",
            rationale: "'\(context.node.id)' failed the same way (\(context.run.errorKind?.rawValue ?? "")) in version \(precedent.failedVersion); version \(precedent.fixedVersion) fixed it, and that change has since been undone: \(changes.joined(separator: "; ")).",
            confidence: 0.9, patch: JSONPatch(operations),
            evidence: .object(evidence(context).merging(["failed_version": .int(precedent.failedVersion), "fixed_version": .int(precedent.fixedVersion)]) { $1 }))
    }

    /// A deployment that did not become healthy in time → more time; a check after a deployment that neither waited
    /// for health nor could roll back → `wait_for_healthy` and `rollback_on_failure` on that deployment.
    static let deployHealth: @Sendable (FailureContext) -> FixCandidate? = { context in
        let nodes = context.workflow.workflow.nodes
        if context.node.type == "windflow.deploy_stack" {
            let reason = context.details.errorClass
            guard reason == .unhealthy || reason == .healthTimeout else { return nil }
            let current = DurationText.seconds(from: context.node.configuration["health_timeout"] ?? 120) ?? 120
            var operations: [JSONPatch.Operation] = []
            var changes: [String] = []
            if reason == .healthTimeout {
                let proposed = min(86_400, max(current * 2, current + 60))
                operations.append(.init(.add, context.pointer + "/configuration/health_timeout", value: .int(Int(proposed))))
                changes.append("health_timeout \(JSONValue.format(current)) s → \(JSONValue.format(proposed)) s")
                if context.node.effectiveTimeout < proposed * 2 + 60 {
                    operations.append(.init(.add, context.pointer + "/timeout", value: .int(Int(proposed * 2 + 60))))
                    changes.append("timeout → \(Int(proposed * 2 + 60)) s so the node outlives the wait")
                }
            }
            if context.node.configuration["rollback_on_failure"] == false {
                operations.append(.init(.add, context.pointer + "/configuration/rollback_on_failure", value: true))
                changes.append("rollback_on_failure → true")
            }
            guard !operations.isEmpty else { return nil }
            return FixCandidate(
                rule: "deploy_health", title: "Let '\(context.node.id)' wait longer for health, and roll back if it never comes",
                rationale: "'\(context.node.id)' failed its health wait (\(context.message.prefix(160))). \(changes.joined(separator: "; ")).",
                confidence: reason == .healthTimeout ? 0.7 : 0.6, patch: JSONPatch(operations),
                evidence: .object(evidence(context)))
        }
        // A check that reads a deployment's output (its endpoint) failed: the deployment did not wait for health.
        let text = JSONValue.object(context.node.configuration).jsonText
        guard let (index, deploy) = nodes.enumerated().first(where: { _, node in
            node.type == "windflow.deploy_stack" && text.range(of: #"\{\{\s*"# + NSRegularExpression.escapedPattern(for: node.id) + #"\."#, options: .regularExpression) != nil
        }) else { return nil }
        let waits = deploy.configuration["wait_for_healthy"] != false, rollsBack = deploy.configuration["rollback_on_failure"] != false
        guard !waits || !rollsBack, let kind = context.run.errorKind, [.connection, .http, .timeout].contains(kind) else { return nil }
        let pointer = WorkflowPatcher.node(index)
        return FixCandidate(
            rule: "deploy_health", title: "Make '\(deploy.id)' wait until healthy and roll back otherwise",
            rationale: "'\(context.node.id)' checks what '\(deploy.id)' deployed and failed (\(context.message.prefix(120))), but '\(deploy.id)' \(waits ? "" : "does not wait for its health checks")\(!waits && !rollsBack ? " and " : "")\(rollsBack ? "" : "cannot roll back"). Waiting for health makes the check run against a service that is up, and a rollback restores the previous containers when it never gets there.",
            confidence: 0.75,
            patch: JSONPatch([
                .init(.add, pointer + "/configuration/wait_for_healthy", value: true),
                .init(.add, pointer + "/configuration/rollback_on_failure", value: true),
            ]), evidence: .object(evidence(context).merging(["deployment": .string(deploy.id)]) { $1 }))
    }

    /// A request that got no answer within its own `timeout` parameter (libcurl's, not the node's) → that timeout
    /// back to at least its default and three times what it was.
    static let requestTimeout: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .timeout, context.details.errorClass?.rawValue == "timeout", hasRequestTimeout(context.node.type),
              let spec = NodeRegistry.standard.type(context.node.type)?.parameters.first(where: { $0.name == "timeout" }) else { return nil }
        let declared = spec.defaultValue.flatMap { DurationText.seconds(from: $0) } ?? 30
        let current = context.node.configuration["timeout"].flatMap { DurationText.seconds(from: $0) } ?? declared
        let p95 = context.history.percentile(0.95).map { $0 / 1000 }
        let proposed = min(spec.maximum ?? 3600, max(current * 3, declared, (p95 ?? 0) * 1.5).rounded(.up))
        guard proposed > current else { return nil }
        var operations: [JSONPatch.Operation] = [.init(.add, context.pointer + "/configuration/timeout", value: .int(Int(proposed)))]
        if context.node.effectiveTimeout < proposed + 5 { operations.append(.init(.add, context.pointer + "/timeout", value: .int(Int(proposed) + 30))) }
        return FixCandidate(
            rule: "request_timeout", title: "Let the request of '\(context.node.id)' take \(JSONValue.format(proposed)) s instead of \(JSONValue.format(current)) s",
            rationale: "'\(context.node.id)' got no complete answer within its timeout parameter of \(JSONValue.format(current)) s (\(context.message.prefix(100)))"
                + (p95.map { "; its successful requests take up to \(JSONValue.format(($0 * 10).rounded() / 10)) s" } ?? "") + ". Give the request \(JSONValue.format(proposed)) s"
                + (proposed == declared ? " (the default)" : "") + "; if the server is stuck rather than slow, the cause is there.",
            confidence: p95 != nil ? 0.8 : 0.65, patch: JSONPatch(operations), evidence: .object(evidence(context)))
    }

    /// Whether nodes of `type` have a `timeout` parameter of their own (the request's, as http, monitoring, cloud).
    static func hasRequestTimeout(_ type: String) -> Bool {
        NodeRegistry.standard.type(type)?.parameters.contains { $0.name == "timeout" } ?? false
    }

    /// Ran past its timeout → a timeout that fits its real durations.
    static let timeout: @Sendable (FailureContext) -> FixCandidate? = { context in
        // The request's own timeout ran out, not the node's: requestTimeout says so.
        guard context.run.errorKind == .timeout, context.details.errorClass?.rawValue != "timeout" || !hasRequestTimeout(context.node.type) else { return nil }
        let current = context.node.effectiveTimeout
        let p95 = context.history.percentile(0.95).map { $0 / 1000 }
        // Never finished in time, nothing to measure: enough room to see how long it takes (+30 s, or ×3).
        var proposed = p95.map { max(current * 3, $0 * 1.5) } ?? max(current * 3, current + 30)
        proposed = proposed < 60 ? proposed.rounded(.up) : (proposed / 10).rounded(.up) * 10
        proposed = min(proposed, 86_400)
        let seen = p95.map { "its successful runs take up to \(JSONValue.format(($0 * 10).rounded() / 10)) s (p95 of \(context.history.succeeded))" }
            ?? "it has never finished in time"
        return FixCandidate(
            rule: "timeout_near_limit", title: "Give '\(context.node.id)' \(JSONValue.format(proposed)) s instead of \(JSONValue.format(current)) s",
            rationale: "'\(context.node.id)' was stopped at its \(JSONValue.format(current)) s timeout; \(seen). A limit of \(JSONValue.format(proposed)) s leaves room without letting a stuck run hang for long.",
            confidence: p95 != nil ? 0.8 : 0.6,
            patch: JSONPatch([.init(.add, context.pointer + "/timeout", value: proposed == proposed.rounded() ? .int(Int(proposed)) : .double(proposed))]),
            evidence: .object(evidence(context)))
    }

    /// 5xx / 429 / lost connections that come and go → retries with backoff.
    static let transientHTTP: @Sendable (FailureContext) -> FixCandidate? = { context in
        let transient = (context.run.errorKind == .http && context.details.isTransientHTTP)
            || (context.run.errorKind == .connection && (context.history.succeeded > 0 || context.details.errorClass?.rawValue == "connection_lost"))
        guard transient, context.node.retryCount < 3 else { return nil }
        let sometimesWorks = context.history.succeeded > 0
        return FixCandidate(
            rule: "transient_failure", title: "Retry '\(context.node.id)' 3 times with backoff",
            rationale: "'\(context.node.id)' failed with a transient error (\(context.message.prefix(120)))\(sometimesWorks ? ", and \(context.history.succeeded) of its \(context.history.attempts) attempts succeeded" : ""). Such failures pass on a later attempt: retry up to 3 times, 1 s then 2 s then 4 s apart.",
            confidence: sometimesWorks ? 0.8 : 0.65,
            patch: JSONPatch([
                .init(.add, context.pointer + "/retry_count", value: 3),
                .init(.add, context.pointer + "/retry", value: ["initial_delay": 1, "factor": 2, "max_delay": 30]),
            ]), evidence: .object(evidence(context)))
    }

    /// 401 / 403 with no credentials configured → credentials from a secret.
    static let credentials: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.http", context.run.errorKind == .http,
            let status = context.details.httpStatus, status == 401 || status == 403,
            context.node.configuration["auth"] == nil,
            context.node.configuration["headers"]?["Authorization"] == nil
        else { return nil }
        let secret = Validator.normalizedID(context.node.id).uppercased() + "_TOKEN"
        return FixCandidate(
            rule: "missing_credentials", title: "Send a bearer token from the secret \(secret)",
            rationale: "The server refused '\(context.node.id)' (\(context.message.prefix(100))) and the node sends no credentials. Store the token as the secret \(secret) (PUT /api/v1/secrets/\(secret), or WINDFLOW_SECRET_\(secret)) and send it as a bearer token.",
            confidence: 0.6,
            patch: JSONPatch([.init(.add, context.pointer + "/configuration/auth", value: ["type": "bearer", "token": .string("{{ secrets.\(secret) }}")])]),
            evidence: .object(evidence(context)))
    }

    /// An object store that says the bucket is in another region → that region (and, when the node names an AWS
    /// endpoint of the old region, that region's endpoint).
    static let cloudRegion: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.cloud", context.details.subject == "region", let region = context.details.alternatives?.first,
              region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), context.node.configuration["region"]?.stringValue != region
        else { return nil }
        var operations: [JSONPatch.Operation] = [.init(.add, context.pointer + "/configuration/region", value: .string(region))]
        var changes = ["region → \(region)"]
        if case .string(let endpoint)? = context.node.configuration["endpoint"], endpoint.contains(".amazonaws.com") {
            let moved = "https://s3.\(region).amazonaws.com"
            operations.append(.init(.add, context.pointer + "/configuration/endpoint", value: .string(moved)))
            changes.append("endpoint → \(moved)")
        }
        return FixCandidate(
            rule: "cloud_region", title: "Sign '\(context.node.id)' for \(region), where the bucket is",
            rationale: "The object store answered '\(context.node.id)' that bucket '\(context.node.configuration["bucket"]?.renderedText ?? "")' is in \(region) (\(context.message.prefix(120))). \(changes.joined(separator: "; ")).",
            confidence: 0.95, patch: JSONPatch(operations), evidence: .object(evidence(context).merging(["region": .string(region)]) { $1 }))
    }

    /// Connection refused / DNS to a URL other than the one that last worked → that URL.
    static let unreachableHost: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .connection, case .string(let written)? = context.node.configuration["url"],
            !Template.containsPlaceholder(written), let worked = context.history.lastSuccessfulInput?["url"]?.stringValue, worked != written
        else { return nil }
        return FixCandidate(
            rule: "unreachable_host", title: "Call \(redacted(worked)) again",
            rationale: "'\(context.node.id)' cannot reach \(redacted(written)) (\(context.message.prefix(100))); its last successful run called \(redacted(worked)).",
            confidence: 0.7, patch: JSONPatch([.init(.replace, context.pointer + "/configuration/url", value: .string(worked))]),
            evidence: .object(evidence(context)))
    }

    /// Exit 127 → the closest command that exists on this machine.
    static let missingCommand: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.script", case .string(let script)? = context.node.configuration["script"],
            context.details.errorClass == .commandNotFound, let missing = context.details.subject,
            let replacement = closestCommand(to: missing),
            let regex = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9_./-])" + NSRegularExpression.escapedPattern(for: missing) + "(?![A-Za-z0-9_/-])")
        else { return nil }
        let fixed = regex.stringByReplacingMatches(in: script, range: NSRange(script.startIndex..., in: script), withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
        guard fixed != script else { return nil }
        return FixCandidate(
            rule: "command_not_found", title: "Run '\(replacement)' instead of '\(missing)'",
            rationale: "The script stopped with exit 127: '\(missing)' is not a command on this machine. '\(replacement)' is, and is the closest name.",
            confidence: 0.7, patch: JSONPatch([.init(.replace, context.pointer + "/configuration/script", value: .string(fixed))]),
            evidence: .object(evidence(context)))
    }

    /// An expression reading a field that is not there → the closest field that is.
    static let missingField: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .expression, context.details.errorClass == .missingField,
            let path = context.details.subject, let dot = path.lastIndex(of: ".")
        else { return nil }
        let (owner, field) = (String(path[..<dot]), String(path[path.index(after: dot)...]))
        guard let replacement = closestMatch(to: field, among: context.details.alternatives ?? []), replacement != field else { return nil }
        var operations: [JSONPatch.Operation] = []
        for (key, value) in context.node.configuration.sorted(by: { $0.key < $1.key }) {
            let renamed = renameField(value, owner: owner, from: field, to: replacement)
            if renamed != value { operations.append(.init(.replace, context.pointer + "/configuration/" + JSONPatch.escape(key), value: renamed)) }
        }
        guard !operations.isEmpty else { return nil }
        return FixCandidate(
            rule: "missing_field", title: "Read '\(owner).\(replacement)' instead of '\(owner).\(field)'",
            rationale: "'\(context.node.id)' reads '\(owner).\(field)', which the run did not have (\(context.message.prefix(160))). '\(replacement)' is the closest field it has.",
            confidence: 0.85, patch: JSONPatch(operations), evidence: .object(evidence(context)))
    }

    static func renameField(_ value: JSONValue, owner: String, from field: String, to replacement: String) -> JSONValue {
        switch value {
        case .string(let text) where text.contains(owner + "." + field):
            let pattern = "(?<![A-Za-z0-9_.])" + NSRegularExpression.escapedPattern(for: owner + "." + field) + "(?![A-Za-z0-9_])"
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return value }
            return .string(regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                          withTemplate: NSRegularExpression.escapedTemplate(for: owner + "." + replacement)))
        case .array(let elements): return .array(elements.map { renameField($0, owner: owner, from: field, to: replacement) })
        case .object(let members): return .object(members.mapValues { renameField($0, owner: owner, from: field, to: replacement) })
        default: return value
        }
    }

    /// The executable on `PATH` closest to `name` (a likely typo), if any.
    static func closestCommand(to name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        var names: Set<String> = []
        for directory in path.split(separator: ":") {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: String(directory))) ?? [] where entry.first == name.first {
                names.insert(entry)
            }
        }
        return closestMatch(to: name, among: names.sorted())
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        if components.password != nil { components.password = "***" }
        return components.string ?? url
    }
}
