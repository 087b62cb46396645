import Foundation
import WindFlowCore
import WindFlowStore

/// Rules for first-time failures whose cause is certain from the failure alone and that no change to the workflow
/// fixes: a secret that is not set, a secret the server refuses, nothing listening, a host that does not resolve.
/// Each answers an action — exact commands to run — that is shown and stored like a fix, never applied.
enum FixActions {
    /// `{{ secrets.NAME }}` read while no secret NAME is stored → set it (the API, or the service's environment).
    static let missingSecret: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .expression, let subject = context.details.subject, subject.hasPrefix("secrets."),
              case let name = String(subject.dropFirst("secrets.".count)), Validator.isValidID(name) else { return nil }
        return FixCandidate(
            rule: "missing_secret", title: "Set the secret \(name)",
            rationale: "'\(context.node.id)' reads {{ secrets.\(name) }}, and no secret \(name) is stored (\(context.message.prefix(120))). "
                + "Store it — through the API, or in the environment of the service as WINDFLOW_SECRET_\(name) — then run again; the workflow needs no change.",
            confidence: 0.95, patch: JSONPatch([]), evidence: .object(FixRules.evidence(context).merging(["secret": .string(name)]) { $1 }),
            commands: [
                #"curl -X PUT "$WINDFLOW_URL/api/v1/secrets/\#(name)" -H "Authorization: Bearer $WINDFLOW_API_KEY" -H 'Content-Type: application/json' -d '{"value": "…"}'"#,
                "export WINDFLOW_SECRET_\(name)='…'   # in the environment of windflow serve or windflow run",
            ])
    }

    /// A 401/403 to a request that sends a secret as its credentials → the secret is wrong or expired: set it again.
    static let rejectedSecret: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .http, let status = context.details.httpStatus, status == 401 || status == 403 else { return nil }
        let credentials = [context.node.configuration["auth"], context.node.configuration["headers"]].compactMap { $0 }.map(\.jsonText).joined()
        guard let name = secretNames(in: credentials).first else { return nil }
        return FixCandidate(
            rule: "rejected_secret", title: "Renew the secret \(name): the server refuses it",
            rationale: "'\(context.node.id)' sends {{ secrets.\(name) }} as its credentials and the server answered \(status) (\(context.message.prefix(100))): "
                + "the secret is wrong, expired or lacks the permission. Store a valid one, then run again.",
            confidence: status == 401 ? 0.75 : 0.6, patch: JSONPatch([]),
            evidence: .object(FixRules.evidence(context).merging(["secret": .string(name), "http_status": .int(status)]) { $1 }),
            commands: [
                #"curl -X PUT "$WINDFLOW_URL/api/v1/secrets/\#(name)" -H "Authorization: Bearer $WINDFLOW_API_KEY" -H 'Content-Type: application/json' -d '{"value": "…"}'"#,
            ])
    }

    /// Connection refused: the host answers, nothing listens on the port → start the service, or check the port.
    static let nothingListening: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .connection,
              context.details.errorClass?.rawValue == "connection_refused" || context.message.contains("Connection refused"),
              let (host, port) = address(context) else { return nil }
        return FixCandidate(
            rule: "nothing_listening", title: "Start what should listen on \(host):\(port), or correct the port",
            rationale: "'\(context.node.id)' reached \(host), which refused the connection on port \(port): no program listens there "
                + "(stopped, crashed, or on another port). Start it, or correct the port in the workflow, then run again.",
            confidence: 0.7, patch: JSONPatch([]), evidence: .object(FixRules.evidence(context).merging(["host": .string(host), "port": .int(port)]) { $1 }),
            commands: ["ss -ltnp | grep ':\(port) '   # on \(host): is anything listening?", "curl -v \(scheme(context))://\(host):\(port)/"])
    }

    /// The host name does not resolve → check its spelling and the DNS.
    static let unknownHost: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .connection, context.details.errorClass?.rawValue == "dns", let (host, _) = address(context) else { return nil }
        return FixCandidate(
            rule: "unknown_host", title: "Check the host name \(host): it does not resolve",
            rationale: "'\(context.node.id)' could not resolve \(host) (\(context.message.prefix(100))): the name is misspelled, not in the DNS yet, "
                + "or only known on another network. Correct it in the workflow, or make it resolve from this machine.",
            confidence: 0.7, patch: JSONPatch([]), evidence: .object(FixRules.evidence(context).merging(["host": .string(host)]) { $1 }),
            commands: ["getent hosts \(host)   # from the machine WindFlow runs on"])
    }

    /// An object store that refuses the credentials (`SignatureDoesNotMatch`, `InvalidAccessKeyId`) or the clock
    /// (`RequestTimeTooSkewed`) → renew the secrets the node signs with, or set this machine's clock right.
    static let cloudCredentials: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.cloud" || context.node.type == "windflow.backup_data" else { return nil }
        // A HEAD answer has no body, so no code: a 403 without one is the credentials too.
        guard let code = context.details.errorClass?.rawValue ?? (context.details.httpStatus == 403 ? "SignatureDoesNotMatch" : nil) else { return nil }
        if code == "RequestTimeTooSkewed" {
            return FixCandidate(
                rule: "clock_skew", title: "Set this machine's clock right: the object store refuses its time",
                rationale: "The object store refused '\(context.node.id)' because this machine's clock is more than 15 minutes from its own "
                    + "(\(context.message.prefix(100))). Requests are signed with the time; turn on time synchronisation, then run again.",
                confidence: 0.9, patch: JSONPatch([]), evidence: .object(FixRules.evidence(context)),
                commands: ["timedatectl set-ntp true && timedatectl status   # or: chronyc makestep", "date -u   # compare with an accurate clock"])
        }
        guard ["SignatureDoesNotMatch", "InvalidAccessKeyId"].contains(code) else { return nil }
        let names = secretNames(in: [context.node.configuration["access_key"], context.node.configuration["secret_key"]]
            .compactMap { $0?.jsonText }.joined())
        let which = code == "InvalidAccessKeyId" ? "the access key is unknown to this endpoint" : "the secret key does not match the access key"
        return FixCandidate(
            rule: "cloud_credentials", title: names.isEmpty ? "Check the credentials of '\(context.node.id)'" : "Renew \(names.joined(separator: " and "))",
            rationale: "The object store refused '\(context.node.id)': \(which) (\(code)). Store the pair that belongs to this endpoint"
                + (names.isEmpty ? " (preferably as secrets)" : " as \(names.joined(separator: " and "))") + ", check region and endpoint, then run again.",
            confidence: 0.8, patch: JSONPatch([]), evidence: .object(FixRules.evidence(context).merging(["error_code": .string(code)]) { $1 }),
            commands: (names.isEmpty ? ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] : names).map { #"curl -X PUT "$WINDFLOW_URL/api/v1/secrets/\#($0)" -H "Authorization: Bearer $WINDFLOW_API_KEY" -H 'Content-Type: application/json' -d '{"value": "…"}'"# })
    }

    /// The secret names a text reads (`{{ secrets.NAME }}`), in order.
    static func secretNames(in text: String) -> [String] {
        text.matches(of: /secrets\.([A-Za-z_][A-Za-z0-9_]*)/).map { String($0.1) }
    }

    /// The host and port the failed request went to: from the URL it used (url, endpoint, repository, a database
    /// connection URL), an e-mail node's SMTP server, else the failure's subject when it is a host name.
    static func address(_ context: FailureContext) -> (String, Int)? {
        let configuration = context.node.configuration
        let written = context.run.input?["url"]?.stringValue
            ?? ["url", "endpoint", "repository", "connection"].lazy.compactMap { configuration[$0]?.stringValue }.first
        if let written, !Template.containsPlaceholder(written), let url = URL(string: written), let host = url.host {
            let ports = ["https": 443, "postgresql": 5432, "postgres": 5432, "ssh": 22, "git": 9418]
            return (host, url.port ?? ports[url.scheme ?? ""] ?? 80)
        }
        if let email = configuration["email"], let host = email["smtp_host"]?.stringValue, !Template.containsPlaceholder(host) {
            return (host, email["smtp_port"]?.intValue ?? Int(email["smtp_port"]?.stringValue ?? "") ?? 587)
        }
        guard let host = context.details.subject, host.contains(".") || host == "localhost", !host.contains(" "), !host.contains("/") else { return nil }
        return (host, 80)
    }

    static func scheme(_ context: FailureContext) -> String {
        (context.run.input?["url"]?.stringValue ?? context.node.configuration["url"]?.stringValue).flatMap { URL(string: $0)?.scheme } ?? "http"
    }
}
