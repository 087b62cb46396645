import CurlHTTP
import Foundation
import WindFlowCore

/// `integration.notification`: one message to several channels, each result reported; the node fails if any channel
/// failed (retryable when every failure was).
struct NotificationExecutor: NodeExecutor {
    let client: CurlClient

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let channels = (context.input["channels"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !channels.isEmpty else { return .failed(NodeFailure(.validation, "channels is empty", retryable: false)) }
        let title = context.input["title"]?.renderedText
        let message = context.input["message"]?.renderedText
            ?? context.input["template"].map { "\($0.renderedText) — workflow \(context.scope.roots["workflow"]?["name"]?.renderedText ?? ""), execution \(context.executionID)" }
            ?? ""
        let text = title.map { "\($0)\n\(message)" } ?? message
        var results: [JSONValue] = []
        var failures: [NodeFailure] = []
        for channel in channels {
            let failure: NodeFailure?
            switch channel {
            case "log":
                context.log(text)
                failure = nil
            case "slack": failure = await postJSON(context, channel, urlParameter: "slack_webhook_url", ["text": .string(text)])
            case "discord": failure = await postJSON(context, channel, urlParameter: "discord_webhook_url", ["content": .string(text)])
            case "teams":
                failure = await postJSON(context, channel, urlParameter: "teams_webhook_url",
                                         ["@type": "MessageCard", "summary": .string(title ?? message), "text": .string(message),
                                          "title": title.map(JSONValue.string) ?? .null])
            case "webhook":
                failure = await postJSON(context, channel, urlParameter: "webhook_url", [
                    "title": title.map(JSONValue.string) ?? .null, "message": .string(message),
                    "workflow": context.scope.roots["workflow"]?["name"] ?? .null, "execution_id": .string(context.executionID),
                    "node": .string(context.key.node),
                ])
            case "email":
                let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                failure = await sendEmail(context, subject: title ?? String(firstLine.prefix(78)), text: message)
            default: failure = NodeFailure(.validation, "unknown channel '\(channel)'", retryable: false)
            }
            var result: [String: JSONValue] = ["channel": .string(channel), "ok": .bool(failure == nil)]
            if let failure {
                result["error"] = .string(failure.message)
                failures.append(failure)
            }
            results.append(.object(result))
        }
        let output: JSONValue = ["results": .array(results), "sent": .int(channels.count - failures.count), "failed": .int(failures.count)]
        guard failures.isEmpty else {
            let summary = zip(channels, results).compactMap { channel, result in result["error"]?.stringValue.map { "\(channel): \($0)" } }
            return .failed(NodeFailure(
                failures.first!.kind, "\(failures.count) of \(channels.count) channels failed — \(summary.joined(separator: "; "))",
                retryable: failures.allSatisfy(\.retryable), details: failures.first!.details, output: output))
        }
        return .succeeded(output, branch: nil)
    }

    /// The parameter, else `WINDFLOW_<NAME>` from the environment (server-wide defaults such as a Slack URL).
    private func setting(_ context: NodeContext, _ name: String) -> String? {
        if let value = context.input[name]?.stringValue, !value.isEmpty { return value }
        return context.scope.roots["env"]?["WINDFLOW_" + name.uppercased()]?.stringValue
    }

    private func postJSON(_ context: NodeContext, _ channel: String, urlParameter: String, _ payload: JSONValue) async -> NodeFailure? {
        guard let url = setting(context, urlParameter) else {
            return NodeFailure(.validation, "\(channel) needs \(urlParameter) (or WINDFLOW_\(urlParameter.uppercased()) in the environment)",
                               retryable: false)
        }
        let request = CurlRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                  body: Data(payload.jsonText.utf8), timeout: 15, maxResponseBytes: 64 * 1024)
        do {
            let response = try await client.perform(request)
            guard (200..<300).contains(response.status) else {
                return NodeFailure(.http, "POST \(redactedURL(url)) answered \(response.status)",
                                   retryable: response.status >= 500 || response.status == 429,
                                   details: FailureDetails(httpStatus: response.status, subject: URL(string: url)?.host))
            }
            return nil
        } catch let error as CurlError {
            return HTTPExecutor.failure(for: error, method: "POST")
        } catch {
            return NodeFailure(.internal, "\(error)")
        }
    }

    private func sendEmail(_ context: NodeContext, subject: String, text: String) async -> NodeFailure? {
        let fields = context.parameters.object("email")
        let email = fields.values
        /// The field as the node sets it, else the server's `WINDFLOW_SMTP_…` variable, else the field's declared default.
        func value(_ key: String, env: String) -> String? {
            if fields.isSet(key) { return email[key]?.renderedText }
            return context.scope.roots["env"]?["WINDFLOW_SMTP_" + env]?.stringValue ?? fields.declaredDefault(key)?.renderedText
        }
        let recipients = (email["to"]?.arrayValue?.compactMap(\.stringValue) ?? value("to_default", env: "TO").map { [$0] } ?? [])
        let copies = email["cc"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let host = value("smtp_host", env: "HOST") else {
            return NodeFailure(.validation, "email needs email.smtp_host (or WINDFLOW_SMTP_HOST)", retryable: false)
        }
        guard !recipients.isEmpty else {
            return NodeFailure(.validation, "email needs email.to (or WINDFLOW_SMTP_TO)", retryable: false)
        }
        guard let from = value("from", env: "FROM") else {
            return NodeFailure(.validation, "email needs email.from (or WINDFLOW_SMTP_FROM)", retryable: false)
        }
        for address in [from] + recipients + copies where address.contains(where: { $0.isNewline || $0 == "<" || $0 == ">" }) {
            return NodeFailure(.validation, "email address '\(address)' holds a line break or angle brackets", retryable: false)
        }
        guard let port = value("smtp_port", env: "PORT").flatMap(Int.init), let security = value("security", env: "SECURITY") else {
            return NodeFailure(.validation, "email.smtp_port (or WINDFLOW_SMTP_PORT) is not a port number", retryable: false)
        }
        let verifyTLS: Bool
        do throws(ParameterError) { verifyTLS = try fields.bool("verify_tls") } catch { return NodeFailure(error) }
        var attachments: [MailMessage.Attachment] = []
        for path in (context.input["attachments"]?.arrayValue ?? []).compactMap(\.stringValue) {
            guard let data = FileManager.default.contents(atPath: path) else {
                return NodeFailure(.validation, "attachment \(path) cannot be read", retryable: false)
            }
            attachments.append(.init(filename: URL(fileURLWithPath: path).lastPathComponent, data: data))
        }
        let message = MailMessage(from: from, to: recipients, cc: copies, subject: email["subject"]?.stringValue ?? subject, text: text,
                                  html: email["html"]?.stringValue, attachments: attachments)
        let scheme = security == "tls" ? "smtps" : "smtp"
        var request = CurlRequest(url: "\(scheme)://\(host):\(port)", body: message.rendered(date: Date(timeIntervalSince1970: context.now)), timeout: 30,
                                  verifyTLS: verifyTLS)
        request.mail = MailEnvelope(from: from, recipients: recipients + copies, requireTLS: security != "none",
                                    username: value("username", env: "USERNAME"), password: value("password", env: "PASSWORD"))
        do {
            _ = try await client.perform(request)
            return nil
        } catch let error as CurlError {
            return HTTPExecutor.failure(for: error, method: "SMTP")
        } catch {
            return NodeFailure(.internal, "\(error)")
        }
    }
}
