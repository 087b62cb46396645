import Foundation
import WindFlowCore
import WindFlowStore

/// Actions for first-time failures that no change to the workflow fixes, or whose fix only a person can choose: an
/// untrusted certificate, a request the server refuses, an answer that is text, a script that failed or was killed,
/// a folder that is not a working copy, a Docker host that is down or lacks an image, a bucket or key that is not
/// there. Each says what happened with the failure's own evidence and the exact commands to look further.
enum FirstFailureActions {
    static let all: [@Sendable (FailureContext) -> FixCandidate?] = [
        untrustedCertificate, answeredText, scriptOutput, killed, scriptFailed, notARepository, gitCredentials, smtpLogin, dockerDown, dockerImage,
        portInUse, healthNeverPasses, bucketMissing, keyMissing, requestRefused,
    ]

    static func action(_ context: FailureContext, rule: String, title: String, rationale: String, confidence: Double,
                       commands: [String], evidence extra: [String: JSONValue] = [:]) -> FixCandidate {
        FixCandidate(rule: rule, title: title, rationale: rationale, confidence: confidence, patch: JSONPatch([]),
                     evidence: .object(FixRules.evidence(context).merging(extra) { $1 }), commands: commands)
    }

    /// A TLS failure on the certificate (self-signed, expired, another name) → look at it, trust its CA or renew it.
    static let untrustedCertificate: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "tls", !context.message.lowercased().contains("wrong version number"),
              let (host, port) = FixActions.address(context) else { return nil }
        return action(context, rule: "untrusted_certificate", title: "Check the certificate of \(host):\(port)",
                      rationale: "'\(context.node.id)' refused the TLS certificate of \(host) (\(context.message.prefix(140))). A self-signed or private-CA certificate must be trusted by this machine (add its CA to the system store); an expired one or one for another name must be renewed on the server.",
                      confidence: 0.75,
                      commands: ["openssl s_client -connect \(host):\(port) -servername \(host) </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates",
                                 "cp their-ca.pem /usr/local/share/ca-certificates/their-ca.crt && update-ca-certificates   # to trust a private CA"])
    }

    /// An expression read a field of an answer that is text → the node answered text, not JSON.
    static let answeredText: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .expression, let path = context.details.subject, context.message.contains("is a string"),
              let owner = path.split(separator: ".").first.map(String.init), owner != "secrets" else { return nil }
        let sample = context.outputs[owner]?["body"]?.stringValue.map { " It answered: '\($0.prefix(80))'." } ?? ""
        return action(context, rule: "answered_text", title: "'\(owner)' answered text, not JSON",
                      rationale: "'\(context.node.id)' reads \(path), but '\(owner)' answered text, not JSON, so it has no fields (\(context.message.prefix(100))).\(sample) Check the URL (an error page, a login page, another endpoint) and ask for JSON (an Accept: application/json header), or read the text as it is.",
                      confidence: 0.7, commands: ["curl -s -i \(context.workflow.workflow.node(owner)?.configuration["url"]?.stringValue ?? "URL") | head -20"])
    }

    /// A field read from a script that wrote no output fields → its output file was not JSON or key=value lines.
    static let scriptOutput: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .expression, context.details.errorClass == .missingField, let path = context.details.subject,
              let owner = path.split(separator: ".").first.map(String.init),
              context.workflow.workflow.node(owner)?.type == "integration.script",
              Set(context.details.alternatives ?? []).isSubset(of: ["exit_code", "stdout", "stderr"]) else { return nil }
        return action(context, rule: "script_output", title: "Make '\(owner)' write its output fields",
                      rationale: "'\(context.node.id)' reads \(path), but the script '\(owner)' produced no output fields: what it wrote to $WINDFLOW_OUTPUT was missing or not readable (a JSON object, or key=value lines). Check what it writes there — a JSON object must be complete, with its closing brace.",
                      confidence: 0.7, commands: ["echo '{\"field\": 1}' > \"$WINDFLOW_OUTPUT\"   # a complete JSON object, or", "echo field=1 >> \"$WINDFLOW_OUTPUT\""])
    }

    /// Exit 137 or a SIGKILL → killed from outside, most often by the out-of-memory killer.
    static let killed: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .exit, context.details.exitCode == 137 || (context.details.errorClass == .killed && context.details.signal == 9) else { return nil }
        return action(context, rule: "killed", title: "Find out what killed '\(context.node.id)' (SIGKILL)",
                      rationale: "'\(context.node.id)' (or a process it started) was killed with SIGKILL (exit 137): most often the kernel's out-of-memory killer, or a container's memory limit. Check the kernel log; give it more memory, or make it use less (smaller batches, streaming).",
                      confidence: 0.6, commands: ["journalctl -k --since '-1 hour' | grep -i -E 'killed process|out of memory'", "dmesg | tail -20"])
    }

    /// A script or command that exited non-zero with its own message → what it said, and the command to try by hand.
    static let scriptFailed: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.script", context.run.errorKind == .exit, let code = context.details.exitCode,
              context.details.errorClass == nil else { return nil }
        let script = context.node.configuration["script"]?.stringValue ?? ""
        let said = context.message.split(separator: ":", maxSplits: 1).dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if let module = context.message.firstMatch(of: /No module named '([A-Za-z0-9_.]+)'/).map({ String($0.1) }) {
            return action(context, rule: "missing_module", title: "Install the python module \(module)",
                          rationale: "'\(context.node.id)' imports \(module), which is not installed for the python3 WindFlow runs (\(context.message.prefix(100))).",
                          confidence: 0.85, commands: ["python3 -m pip install \(module.split(separator: ".").first ?? "")   # or the Debian package python3-…"])
        }
        let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let command = lines.count == 1 ? " The script is: \(lines[0])." : ""
        return action(context, rule: "script_failed", title: "See why '\(context.node.id)' exited \(code)",
                      rationale: "'\(context.node.id)' exited with status \(code)" + (said.isEmpty ? ", printing nothing on stderr." : ": \(said.prefix(200)).") + command
                        + " The workflow ran it as written: the cause is in what it checks or calls. Run it by hand where WindFlow runs, then run again.",
                      confidence: 0.5, commands: lines.count == 1 ? ["bash -x -c '\(lines[0].replacingOccurrences(of: "'", with: "'\\''"))'; echo \"exit $?\""] : ["windflow executions show \(context.execution.id)   # the whole log"])
    }

    /// git in a folder that is not a working copy → clone it first.
    static let notARepository: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.git", context.details.errorClass?.rawValue == "not_a_repository",
              let directory = context.node.configuration["directory"]?.stringValue else { return nil }
        return action(context, rule: "not_a_repository", title: "Clone into \(directory) first",
                      rationale: "\(directory) is not a git working copy (\(context.message.prefix(100))). Clone the repository there first (a clone step before this one, or once by hand), or point directory at the working copy.",
                      confidence: 0.75, commands: ["git clone REPOSITORY_URL \(directory)", "git -C \(directory) status"])
    }

    /// git refused the credentials → the token secret is missing, wrong or expired.
    static let gitCredentials: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.git", context.details.errorClass?.rawValue == "authentication_failed" else { return nil }
        let names = FixActions.secretNames(in: context.node.configuration["password"]?.jsonText ?? "")
        let name = names.first ?? "GIT_TOKEN"
        return action(context, rule: "git_credentials", title: names.isEmpty ? "Give '\(context.node.id)' a token" : "Renew the secret \(name)",
                      rationale: "The git server refused '\(context.node.id)' (\(context.message.prefix(100))). " + (names.isEmpty
                        ? "The node sends no password: store a token as the secret \(name) and set password: \"{{ secrets.\(name) }}\" (and username)."
                        : "It sends {{ secrets.\(name) }}, which is wrong, expired or lacks access: store a valid token."),
                      confidence: 0.75, commands: [#"curl -X PUT "$WINDFLOW_URL/api/v1/secrets/\#(name)" -H "Authorization: Bearer $WINDFLOW_API_KEY" -H 'Content-Type: application/json' -d '{"value": "…"}'"#])
    }

    /// The mail relay refused the login → the password secret is wrong or expired (or a login is missing).
    static let smtpLogin: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.notification", context.message.contains("Login denied") || context.message.contains("MAIL failed: 530") else { return nil }
        let email = context.node.configuration["email"]
        let names = FixActions.secretNames(in: email?["password"]?.jsonText ?? "")
        let name = names.first ?? "SMTP_PASSWORD"
        let host = email?["smtp_host"]?.stringValue ?? "the relay"
        return action(context, rule: "smtp_login", title: names.isEmpty ? "Give '\(context.node.id)' the relay's login" : "Renew the secret \(name): \(host) refuses it",
                      rationale: "The mail relay \(host) refused '\(context.node.id)' (\(context.message.prefix(120))). " + (names.isEmpty
                        ? "Set email.username and email.password: \"{{ secrets.\(name) }}\", and store the password as that secret."
                        : "The user \(email?["username"]?.stringValue ?? "") with {{ secrets.\(name) }} is refused: store the right password (an app password where the provider wants one)."),
                      confidence: 0.75, commands: [#"curl -X PUT "$WINDFLOW_URL/api/v1/secrets/\#(name)" -H "Authorization: Bearer $WINDFLOW_API_KEY" -H 'Content-Type: application/json' -d '{"value": "…"}'"#])
    }

    /// The Docker daemon is not reachable → start it, or point WindFlow at it.
    static let dockerDown: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type.hasPrefix("windflow."), context.details.errorClass?.rawValue == "unreachable" else { return nil }
        return action(context, rule: "docker_unreachable", title: "Start the Docker daemon, or point WindFlow at it",
                      rationale: "'\(context.node.id)' could not reach the Docker Engine (\(context.message.prefix(140))). Start dockerd on this machine, or set DOCKER_HOST (or --docker-host) to where it listens, then run again.",
                      confidence: 0.85, commands: ["systemctl start docker && docker info", "export DOCKER_HOST=unix:///var/run/docker.sock   # for windflow serve / run"])
    }

    /// A stack's image is not on the Docker host → pull or build it there.
    static let dockerImage: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "image_missing" else { return nil }
        let image = context.message.firstMatch(of: /image ([^\s]+) of service/).map { String($0.1) } ?? "IMAGE"
        return action(context, rule: "image_missing", title: "Put the image \(image) on the Docker host",
                      rationale: "The Docker host has no image \(image) (\(context.message.prefix(140))), and deployments do not pull on their own. Pull it (or build it) on that host, or correct the tag in the stack file.",
                      confidence: 0.8, commands: ["docker pull \(image)", "docker image ls \(image.split(separator: ":").first ?? "")"])
    }

    /// A published port that another process holds → free it, or publish another.
    static let portInUse: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "port_in_use" else { return nil }
        let port = context.message.firstMatch(of: /:(\d{2,5})\b/).map { String($0.1) } ?? "PORT"
        return action(context, rule: "port_in_use", title: "Free port \(port) on the Docker host, or publish another",
                      rationale: "The stack publishes a host port another process already holds (\(context.message.prefix(160))). Stop that process, or change the published port in the stack file.",
                      confidence: 0.8, commands: ["ss -ltnp | grep ':\(port) '   # who holds it", "docker ps --filter publish=\(port)"])
    }

    /// Containers that never became healthy (with rollback on, so no patch helps) → read their health log.
    static let healthNeverPasses: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "windflow.deploy_stack", context.details.errorClass == .unhealthy else { return nil }
        return action(context, rule: "unhealthy", title: "Read why the containers of '\(context.node.id)' are unhealthy",
                      rationale: "The deployment's containers ran, but their health check kept failing (\(context.message.prefix(160))); the previous version was restored. More time will not help a check that fails: read the health log and the container's own log.",
                      confidence: 0.6, commands: ["docker ps -a --filter health=unhealthy", "docker inspect --format '{{json .State.Health}}' CONTAINER", "docker logs --tail 50 CONTAINER"])
    }

    /// An object store that has no such bucket → create it, or correct the name.
    static let bucketMissing: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "NoSuchBucket", let bucket = context.node.configuration["bucket"]?.stringValue else { return nil }
        let endpoint = context.node.configuration["endpoint"]?.stringValue.map { " --endpoint-url \($0)" } ?? ""
        return action(context, rule: "no_such_bucket", title: "Create the bucket \(bucket), or correct its name",
                      rationale: "The object store has no bucket \(bucket) (\(context.message.prefix(100))). Create it (with the retention and access it needs), or correct bucket in the workflow.",
                      confidence: 0.75, commands: ["aws s3 mb s3://\(bucket)\(endpoint)", "aws s3 ls\(endpoint)   # the buckets there"])
    }

    /// A get or head of a key that is not there → list what is, under its folder.
    static let keyMissing: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "NoSuchKey", let key = context.node.configuration["key"]?.stringValue,
              let bucket = context.node.configuration["bucket"]?.stringValue else { return nil }
        let endpoint = context.node.configuration["endpoint"]?.stringValue.map { " --endpoint-url \($0)" } ?? ""
        let folder = key.contains("/") ? String(key[...key.lastIndex(of: "/")!]) : ""
        return action(context, rule: "no_such_key", title: "There is no object \(key) in \(bucket)",
                      rationale: "The bucket \(bucket) has no object \(key) (\(context.message.prefix(100))): it was never written, was deleted or expired, or the key is spelled differently. List what is there; if the object is optional, let the run go on (on_error: continue).",
                      confidence: 0.7, commands: ["aws s3 ls s3://\(bucket)/\(folder)\(endpoint)"])
    }

    /// Any other 4xx (400, 404, 405, 410, 422…) → the server refused this request: what it said, and how to try it.
    static let requestRefused: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .http else { return nil }
        let status = context.details.httpStatus ?? context.message.firstMatch(of: /answered (\d{3})/).flatMap { Int($0.1) }
        guard let status, (400..<500).contains(status), status != 401, status != 403, status != 429, status != 408 else { return nil }
        let url = context.run.input?["url"]?.stringValue ?? context.node.configuration["url"]?.stringValue
            ?? context.message.firstMatch(of: /(https?:\/\/[^\s:]+(?::\d+)?[^\s:]*)/).map { String($0.1) } ?? "URL"
        let answer = (context.run.output?["body"]?.renderedText).map { " It answered: '\($0.prefix(160))'." } ?? ""
        let meaning: String
        switch status {
        case 404: meaning = "there is nothing at \(URLComponents(string: url)?.path ?? url): the path (or the id in it) is wrong, or the webhook or resource was removed"
        case 405: meaning = "the method is not allowed there"
        case 410: meaning = "what was there is gone for good"
        case 400, 422: meaning = "the server could not accept the body or parameters sent"
        default: meaning = "the server refused the request"
        }
        return action(context, rule: "request_refused", title: "The server answered \(status) to '\(context.node.id)'",
                      rationale: "\(status): \(meaning) (\(context.message.prefix(140))).\(answer) Retrying will not change the answer: check the request against the API's documentation, then correct the workflow.",
                      confidence: 0.55, commands: ["curl -s -i -X \(context.node.configuration["method"]?.stringValue ?? "GET") '\(FixRules.redacted(url))'   # add the body and headers the node sends"],
                      evidence: ["http_status": .int(status)])
    }
}
