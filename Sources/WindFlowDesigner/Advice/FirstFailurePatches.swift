import Foundation
import WindFlowCore
import WindFlowStore

/// Patches for first-time failures whose fix is certain enough from the failure alone (or from what else the store
/// holds), with no history of the node needed: a misspelled host or path, https to a plain port, a status the API
/// answers on purpose, an answer over the size cap, a null field, a loop over the wrong field, a typo in SQL, a
/// branch, a stack, a volume or a metric name.
enum FirstFailurePatches {
    /// In their order, after the history rules; ``misspelledHost`` is placed by ``FixRules/all`` itself, before the
    /// retries a DNS failure would otherwise get.
    static let all: [@Sendable (FailureContext) -> FixCandidate?] = [
        pathTypo, plainHTTP, acceptedStatus, largerResponse, optionalValue, loopItems, notExecutable,
        sqlKeyword, sqlTable, sqlDuplicate, knownName, plainSMTP,
    ]

    static func candidate(_ context: FailureContext, rule: String, title: String, rationale: String, confidence: Double,
                          _ operations: [JSONPatch.Operation], evidence extra: [String: JSONValue] = [:]) -> FixCandidate {
        FixCandidate(rule: rule, title: title, rationale: rationale, confidence: confidence, patch: JSONPatch(operations),
                     evidence: .object(FixRules.evidence(context).merging(extra) { $1 }))
    }

    /// The node's literal `url`, parsed.
    static func literalURL(_ context: FailureContext, _ key: String = "url") -> URLComponents? {
        guard case .string(let text)? = context.node.configuration[key], !Template.containsPlaceholder(text) else { return nil }
        return URLComponents(string: text)
    }

    /// DNS failure of a host that looks like a misspelling of one the store's workflows call → that host.
    static let misspelledHost: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .connection, context.details.errorClass?.rawValue == "dns" else { return nil }
        let key = ["url", "endpoint", "repository"].first { literalURL(context, $0)?.host != nil } ?? "url"
        guard var url = literalURL(context, key), let host = url.host else { return nil }
        let known = Set(context.knownURLs.compactMap { URLComponents(string: $0)?.host }.filter { $0 != host })
        guard let right = closestMatch(to: host, among: known.sorted()) else { return nil }
        url.host = right
        guard let fixed = url.string else { return nil }
        return candidate(context, rule: "misspelled_host", title: "Call \(right) instead of \(host)",
                         rationale: "'\(context.node.id)' could not resolve \(host) (\(context.message.prefix(100))); the store's other workflows call \(right), one typo away: it is likely the host meant.",
                         confidence: 0.8, [.init(.replace, context.pointer + "/configuration/" + key, value: .string(fixed))], evidence: ["host": .string(host), "known_host": .string(right)])
    }

    /// A 404 on a path one typo from a path the store's workflows call on the same server → that path.
    static let pathTypo: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .http, context.details.httpStatus == 404, var url = literalURL(context), let host = url.host else { return nil }
        let paths = Set(context.knownURLs.compactMap(URLComponents.init(string:)).filter { $0.host == host && $0.port == url.port && $0.path != url.path }.map(\.path))
        let written = url.path
        guard let right = closestMatch(to: written, among: paths.sorted()) else { return nil }
        url.path = right
        guard let fixed = url.string else { return nil }
        return candidate(context, rule: "path_typo", title: "Call \(right) instead of \(written)",
                         rationale: "\(host) answered 404 to '\(context.node.id)': it has no \(written); another workflow calls \(right) on the same server, one typo away.",
                         confidence: 0.75, [.init(.replace, context.pointer + "/configuration/url", value: .string(fixed))])
    }

    /// https:// to a server that answered in plain HTTP (OpenSSL's "wrong version number") → http://.
    static let plainHTTP: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "tls", context.message.lowercased().contains("wrong version number"),
              var url = literalURL(context), url.scheme == "https" else { return nil }
        url.scheme = "http"
        guard let fixed = url.string else { return nil }
        return candidate(context, rule: "plain_http", title: "Call \(fixed): the server speaks plain HTTP on that port",
                         rationale: "'\(context.node.id)' started TLS and the server answered in plain HTTP (\(context.message.prefix(120))). The port serves http://; use it, or the server's TLS port. Plain HTTP is not encrypted: keep it to trusted networks.",
                         confidence: 0.6, [.init(.replace, context.pointer + "/configuration/url", value: .string(fixed))])
    }

    /// A 2xx the node does not expect, or a 409 to a create (the thing exists already) → accept that status too.
    static let acceptedStatus: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.http", context.run.errorKind == .http, let status = context.details.httpStatus else { return nil }
        let creates = ["POST", "PUT"].contains(context.node.configuration["method"]?.stringValue?.uppercased() ?? "GET")
        guard (200..<300).contains(status) || (status == 409 && creates) else { return nil }
        let current = context.node.configuration["expected_status"] ?? "200-299"
        let accepted: JSONValue
        switch current {
        case .int(let one): accepted = .array([.int(one), .int(status)])
        case .array(let many) where many.allSatisfy({ $0.intValue != nil }): accepted = .array(many + [.int(status)])
        default: accepted = .string(current.renderedText + ",\(status)")  // "200-299,409": ranges and codes, comma-separated
        }
        let why = status == 409 ? "409 Conflict to a \(context.node.configuration["method"]?.stringValue ?? "POST") means what it creates exists already; when that is fine (the run is idempotent), accept it"
            : "\(status) is a success the node does not expect"
        return candidate(context, rule: "accepted_status", title: "Accept \(status) from '\(context.node.id)'",
                         rationale: "'\(context.node.id)' got \(status) (expected \(current.renderedText)): \(why). Otherwise, the request itself needs changing.",
                         confidence: status == 409 ? 0.5 : 0.75, [.init(.add, context.pointer + "/configuration/expected_status", value: accepted)])
    }

    /// An answer larger than `max_response_bytes` → ten times the cap (at most 1 GiB).
    static let largerResponse: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.details.errorClass?.rawValue == "too_large", ["integration.http", "integration.cloud"].contains(context.node.type) else { return nil }
        let key = context.node.type == "integration.cloud" ? "max_object_bytes" : "max_response_bytes"
        let current = context.node.configuration[key]?.intValue ?? 10 * 1024 * 1024
        let proposed = min(1 << 30, current * 10)
        guard proposed > current else { return nil }
        return candidate(context, rule: "larger_response", title: "Let '\(context.node.id)' read answers up to \(proposed) bytes",
                         rationale: "The answer to '\(context.node.id)' is larger than its \(key) of \(current) bytes (\(context.message.prefix(100))). Raise the cap\(context.node.type == "integration.cloud" ? ", or write the object to destination_file" : ""); the cap is there so a runaway answer cannot fill the memory.",
                         confidence: 0.7, [.init(.add, context.pointer + "/configuration/" + key, value: .int(proposed))])
    }

    /// A field read from null, or from a node that did not run on this path → `| default(…)` on that read.
    static let optionalValue: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.run.errorKind == .expression, let cls = context.details.errorClass, cls == .nullValue || cls == .undefinedName,
              let path = context.details.subject, !path.hasPrefix("secrets.") else { return nil }
        var operations: [JSONPatch.Operation] = []
        for (key, value) in context.node.configuration.sorted(by: { $0.key < $1.key }) {
            guard case .string(let text) = value, text.contains(path) else { continue }
            let fallback = key == "condition" ? "false" : "''"
            let changed = ReferenceRepair.rewritePlaceholders(text) { inner in
                guard inner.contains(path), !inner.contains("default("),
                      let regex = try? NSRegularExpression(pattern: NSRegularExpression.escapedPattern(for: path) + #"[A-Za-z0-9_.]*"#) else { return "{{" + inner + "}}" }
                let body = inner.trimmingCharacters(in: .whitespaces)
                guard body.range(of: "^" + NSRegularExpression.escapedPattern(for: path) + #"[A-Za-z0-9_.]*$"#, options: .regularExpression) == nil else {
                    return "{{ \(body) | default(\(fallback)) }}"
                }
                return "{{" + regex.stringByReplacingMatches(in: inner, range: NSRange(inner.startIndex..., in: inner), withTemplate: "($0 | default(null))") + "}}"
            }
            if changed != text { operations.append(.init(.replace, context.pointer + "/configuration/" + JSONPatch.escape(key), value: .string(changed))) }
        }
        guard !operations.isEmpty else { return nil }
        let why = cls == .nullValue ? "'\(path)' is null in this run" : "'\(path.split(separator: ".").first ?? "")' did not run on the path this run took"
        return candidate(context, rule: "optional_value", title: "Read \(path) with a default in '\(context.node.id)'",
                         rationale: "'\(context.node.id)' failed because \(why) (\(context.message.prefix(120))). When the value is optional, a default keeps the run going; when it must be there, fix what produces it instead.",
                         confidence: 0.6, operations)
    }

    /// A loop over a value that is not a list → the list-valued field of the same node's output.
    static let loopItems: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "logic.loop", context.message.contains("items must be a list"),
              case .string(let items)? = context.node.configuration["items"],
              let path = items.firstMatch(of: /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/).map({ String($0.1) }) else { return nil }
        var parts = path.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        parts.removeLast()
        var value = context.outputs[parts[0]]
        for part in parts.dropFirst() { value = value?[part] }
        guard let members = value?.objectValue,
              let list = members.filter({ $0.value.arrayValue != nil }).keys.sorted().first else { return nil }
        let fixed = "{{ \((parts + [list]).joined(separator: ".")) }}"
        return candidate(context, rule: "loop_items", title: "Loop over \(parts.joined(separator: ".")).\(list), the list there",
                         rationale: "'\(context.node.id)' must loop over a list, and \(path) is not one (\(context.message.prefix(80))); \(parts.joined(separator: ".")).\(list) is the list in that output.",
                         confidence: 0.7, [.init(.replace, context.pointer + "/configuration/items", value: .string(fixed))])
    }

    /// Exit 126 on a script file that is not executable → run it through bash.
    static let notExecutable: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.script", context.details.errorClass == .notExecutable, let file = context.details.subject,
              case .string(let script)? = context.node.configuration["script"], script.contains(file), !script.contains("bash " + file) else { return nil }
        let fixed = script.replacingOccurrences(of: file, with: "bash " + file)
        return candidate(context, rule: "not_executable", title: "Run \(file) with bash",
                         rationale: "\(file) is not executable (exit 126). Run it through its interpreter, or make it executable (chmod +x \(file)) and keep the script as it is.",
                         confidence: 0.7, [.init(.replace, context.pointer + "/configuration/script", value: .string(fixed))])
    }

    static let sqlKeywords = ["SELECT", "INSERT", "UPDATE", "DELETE", "FROM", "WHERE", "INTO", "VALUES", "CREATE", "TABLE", "ORDER", "GROUP",
                              "HAVING", "JOIN", "LIMIT", "RETURNING", "UNION", "DISTINCT", "ALTER", "DROP", "WITH", "SET"]

    /// A SQL syntax error at a word one typo from a keyword → the keyword.
    static let sqlKeyword: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.database", case .string(let query)? = context.node.configuration["query"],
              let word = context.message.firstMatch(of: /(?:near|at or near) "([^"]+)"/).map({ String($0.1) }),
              !sqlKeywords.contains(word.uppercased()), let keyword = closestMatch(to: word.uppercased(), among: sqlKeywords) else { return nil }
        let fixed = replacingWord(word, with: keyword, in: query)
        guard fixed != query else { return nil }
        return candidate(context, rule: "sql_keyword", title: "Write \(keyword) instead of \(word)",
                         rationale: "The database refused the query of '\(context.node.id)' at \"\(word)\" (\(context.message.prefix(100))); \(keyword) is the keyword one typo away.",
                         confidence: 0.8, [.init(.replace, context.pointer + "/configuration/query", value: .string(fixed))])
    }

    /// A table that does not exist, one typo from a table the workflow's other queries create or read → that table.
    static let sqlTable: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.database", case .string(let query)? = context.node.configuration["query"],
              let missing = context.message.firstMatch(of: /no such table: ([A-Za-z0-9_."]+)|relation "([^"]+)" does not exist/)
                .map({ String($0.1 ?? $0.2 ?? "") }), !missing.isEmpty else { return nil }
        var tables = Set(context.details.alternatives ?? [])
        for node in context.workflow.workflow.nodes where node.type == "integration.database" {
            for match in (node.configuration["query"]?.stringValue ?? "").matches(of: /(?i)(?:FROM|INTO|TABLE(?: IF NOT EXISTS)?|JOIN|UPDATE)\s+([A-Za-z_][A-Za-z0-9_]*)/) {
                tables.insert(String(match.1))
            }
        }
        tables.remove(missing)
        guard let right = closestMatch(to: missing, among: tables.sorted()) else { return nil }
        let fixed = replacingWord(missing, with: right, in: query)
        guard fixed != query else { return nil }
        return candidate(context, rule: "sql_table", title: "Read the table \(right), not \(missing)",
                         rationale: "There is no table \(missing) (\(context.message.prefix(100))); \(right), which the workflow creates or reads elsewhere, is one typo away.",
                         confidence: 0.75, [.init(.replace, context.pointer + "/configuration/query", value: .string(fixed))])
    }

    /// An INSERT that hits a unique key (a run repeated, a row already there) → skip the duplicate.
    static let sqlDuplicate: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.database", case .string(let query)? = context.node.configuration["query"],
              context.message.contains("UNIQUE constraint failed") || context.details.errorClass?.rawValue == "SQLSTATE 23505",
              query.range(of: #"(?i)^\s*INSERT\s"#, options: .regularExpression) != nil, !query.uppercased().contains("ON CONFLICT") else { return nil }
        var body = query.trimmingCharacters(in: .whitespacesAndNewlines)
        let semicolon = body.hasSuffix(";")
        if semicolon { body.removeLast() }
        let fixed = body + " ON CONFLICT DO NOTHING" + (semicolon ? ";" : "")
        return candidate(context, rule: "sql_duplicate", title: "Skip rows that are already there in '\(context.node.id)'",
                         rationale: "The insert of '\(context.node.id)' hit a unique key (\(context.message.prefix(100))): the row exists, as when a run is repeated. ON CONFLICT DO NOTHING makes the insert safe to repeat; if the row should be updated instead, write ON CONFLICT (…) DO UPDATE.",
                         confidence: 0.55, [.init(.replace, context.pointer + "/configuration/query", value: .string(fixed))])
    }

    /// A name the failure lists the right ones for (a stack, a volume, a branch, a metric) → the closest of them.
    static let knownName: @Sendable (FailureContext) -> FixCandidate? = { context in
        let (parameter, wrong, choices): (String, String, [String])
        if let match = context.message.firstMatch(of: /there is no stack '([^']+)'.*\(stacks there: ([^)]*)\)/) {
            (parameter, wrong, choices) = ("stack_id", String(match.1), match.2.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        } else if let match = context.message.firstMatch(of: /has no volume '([^']+)' \(its volumes: ([^)]*)\)/) {
            (parameter, wrong, choices) = ("volumes", String(match.1), match.2.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        } else if context.details.errorClass?.rawValue == "unknown_branch", let branch = context.node.configuration["branch"]?.stringValue {
            (parameter, wrong, choices) = ("branch", branch, context.details.alternatives ?? [])
        } else if context.node.type == "integration.monitoring", let metric = context.node.configuration["metric"]?.stringValue {
            (parameter, wrong, choices) = ("metric", metric, context.details.alternatives ?? [])
        } else {
            return nil
        }
        guard let right = closestMatch(to: wrong, among: choices.filter { $0 != wrong }) else { return nil }
        let value: JSONValue
        if parameter == "volumes", case .array(let list)? = context.node.configuration["volumes"] {
            value = .array(list.map { $0.stringValue == wrong ? .string(right) : $0 })
        } else {
            value = .string(right)
        }
        return candidate(context, rule: "known_name", title: "Use \(parameter == "volumes" ? "volume" : parameter) \(right) instead of \(wrong)",
                         rationale: "'\(context.node.id)' names \(wrong), which does not exist (\(context.message.prefix(120))); \(right) does, one typo away.",
                         confidence: 0.8, [.init(.add, context.pointer + "/configuration/" + parameter, value: value)], evidence: ["choices": .array(choices.map(JSONValue.string))])
    }

    /// A relay that does not offer STARTTLS, on this machine or its network → send without TLS.
    static let plainSMTP: @Sendable (FailureContext) -> FixCandidate? = { context in
        guard context.node.type == "integration.notification", context.message.contains("STARTTLS not supported"),
              let host = context.node.configuration["email"]?["smtp_host"]?.stringValue else { return nil }
        let local = host == "localhost" || host.hasPrefix("127.") || host.hasPrefix("10.") || host.hasPrefix("192.168.") || host == "::1"
        return candidate(context, rule: "plain_smtp", title: "Send to \(host) without TLS: it does not offer STARTTLS",
                         rationale: "The relay \(host) does not offer STARTTLS, which '\(context.node.id)' requires by default (security: starttls). \(local ? "It is a local relay, where plain SMTP is usual." : "It is not a local address: prefer a relay that speaks TLS, since the message would cross the network unencrypted.")",
                         confidence: local ? 0.7 : 0.35, [.init(.add, context.pointer + "/configuration/email/security", value: "none")])
    }

    /// `text` with the whole word `word` replaced by `replacement`, once.
    static func replacingWord(_ word: String, with replacement: String, in text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: #"(?<![A-Za-z0-9_])"# + NSRegularExpression.escapedPattern(for: word) + #"(?![A-Za-z0-9_])"#),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let range = Range(match.range, in: text) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }
}
