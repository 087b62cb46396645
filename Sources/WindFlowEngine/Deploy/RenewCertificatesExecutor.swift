import CurlHTTP
import Foundation
import WindFlowCore

/// `windflow.renew_certificates`: days to expiry of certificate files (read with openssl) and TLS endpoints (libcurl's
/// certificate info); runs the renew command for those within `notification_days` and checks them again.
struct RenewCertificatesExecutor: NodeExecutor {
    let settings: DeploymentSettings
    let client: CurlClient

    struct Certificate {
        var name: String
        var path: String
        var expires: Date
        var subject: String?
    }

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let node: DeploymentContext, threshold: Int, autoRenew: Bool
        do throws(ParameterError) {
            node = try DeploymentContext(settings: settings, context: context)
            (threshold, autoRenew) = (try node.parameters.int("notification_days"), try node.parameters.bool("auto_renew"))
        } catch {
            return .failed(NodeFailure(error))
        }
        var targets = (node.strings("certificates") ?? []).map { $0.hasPrefix("https://") ? $0 : settings.resolve($0) }
        if let folder = node.string("directory").map(settings.resolve) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            targets += names.filter { $0.hasSuffix(".pem") || $0.hasSuffix(".crt") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
        guard !targets.isEmpty else {
            return .failed(NodeFailure(.configuration, "no certificates to check: give certificates (files or https:// URLs) or a directory with .pem / .crt files", retryable: false))
        }
        var checked: [JSONValue] = []
        var expiring: [JSONValue] = []
        var renewed: [JSONValue] = []
        var failures: [String] = []
        var minimum: Int?
        for target in targets {
            var certificate: Certificate
            do { certificate = try await read(target) } catch {
                failures.append("\(target): \(error)")
                checked.append(["name": .string(Self.name(target)), "path": .string(redactedURL(target)), "error": .string("\(error)")])
                continue
            }
            var days = Self.daysLeft(certificate.expires, now: context.now)
            var entry: [String: JSONValue] = [
                "name": .string(certificate.name), "path": .string(redactedURL(target)), "expires_at": .string(node.iso8601(certificate.expires.timeIntervalSince1970)),
                "days_left": .int(days),
            ]
            if days <= threshold {
                expiring.append(.object(entry))
                context.log("\(certificate.name) expires in \(days) day(s)")
                if autoRenew, let command = node.string("renew_command") {
                    let result = await renew(command, certificate: certificate, context: context)
                    if let problem = result {
                        failures.append("\(certificate.name): \(problem)")
                        entry["renew_error"] = .string(problem)
                    } else if let again = try? await read(target) {
                        let before = days
                        days = Self.daysLeft(again.expires, now: context.now)
                        entry["days_left"] = .int(days)
                        entry["expires_at"] = .string(node.iso8601(again.expires.timeIntervalSince1970))
                        renewed.append(["name": .string(certificate.name), "path": .string(redactedURL(target)), "days_left_before": .int(before), "days_left": .int(days)])
                        context.log("renewed \(certificate.name): \(before) → \(days) day(s) left")
                    }
                }
            }
            minimum = min(minimum ?? days, days)
            checked.append(.object(entry))
        }
        let output: JSONValue = [
            "checked": .array(checked), "expiring": .array(expiring), "renewed": .array(renewed),
            "min_days_left": minimum.map(JSONValue.int) ?? .null,
        ]
        guard failures.isEmpty else {
            return .failed(NodeFailure(.exit, failures.joined(separator: "; "), retryable: false, output: output))
        }
        return .succeeded(output, branch: nil)
    }

    static func daysLeft(_ expires: Date, now: Double) -> Int {
        Int(((expires.timeIntervalSince1970 - now) / 86_400).rounded(.down))
    }

    static func name(_ target: String) -> String {
        if target.hasPrefix("https://") { return URL(string: target)?.host ?? target }
        return ((target as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    private func read(_ target: String) async throws -> Certificate {
        if target.hasPrefix("https://") {
            let response = try await client.perform({
                var request = CurlRequest(method: "HEAD", url: target, timeout: 15, verifyTLS: false)
                request.certificateInfo = true
                return request
            }())
            guard let leaf = response.certificates.first, let text = leaf["Expire date"], let date = Self.parseDate(text) else {
                throw EngineError("\(redactedURL(target)) sent no certificate with an expiry date")
            }
            return Certificate(name: Self.name(target), path: target, expires: date, subject: leaf["Subject"])
        }
        guard FileManager.default.fileExists(atPath: target) else { throw EngineError("there is no certificate file \(target)") }
        let result = try await ProcessRunner.run("openssl", arguments: ["x509", "-enddate", "-noout", "-in", target], limit: 4096)
        let text = result.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.exitCode == 0, text.hasPrefix("notAfter="), let date = Self.parseDate(String(text.dropFirst("notAfter=".count))) else {
            throw EngineError("\(target) is not a PEM certificate openssl can read (\(result.stderr.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)))")
        }
        return Certificate(name: Self.name(target), path: target, expires: date, subject: nil)
    }

    /// OpenSSL's "Nov 30 02:40:00 2026 GMT" (libcurl's certificate info uses the same), or "2026-11-30 02:40:00 GMT".
    static func parseDate(_ text: String) -> Date? {
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["MMM d HH:mm:ss yyyy zzz", "yyyy-MM-dd HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }

    /// Runs the renew command with $CERT_PATH and $CERT_NAME; nil when it succeeded, else what went wrong.
    private func renew(_ command: String, certificate: Certificate, context: NodeContext) async -> String? {
        do {
            let result = try await ProcessRunner.run(
                "sh", arguments: ["-c", command], environment: ["CERT_PATH": certificate.path, "CERT_NAME": certificate.name],
                workingDirectory: settings.dataDirectory, limit: 64 * 1024) { line, _ in context.log(line) }
            guard result.exitCode == 0 else {
                let tail = (result.stderr.text + result.stdout.text).trimmingCharacters(in: .whitespacesAndNewlines).suffix(300)
                return "the renew command exited with \(result.exitCode.map(String.init) ?? "a signal")\(tail.isEmpty ? "" : ": \(tail)")"
            }
            return nil
        } catch {
            return "the renew command could not start: \(error)"
        }
    }
}
