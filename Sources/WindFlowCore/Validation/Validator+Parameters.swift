import Foundation

extension ValidationRun {
    mutating func checkParameters(_ node: WorkflowNode, type: NodeType, path: String) {
        // Paths are built only for problems: most values have none.
        func base() -> String { "\(path).configuration" }
        // Walk what is written (usually a few keys) rather than everything the type declares.
        var found: [Problem] = []
        var unknown: [String] = []
        for (key, value) in node.configuration {
            guard let spec = type.parameter(key) else {
                unknown.append(key)
                continue
            }
            if !value.isNull { found += check(value, spec: spec, type: spec.type, path: { "\(base()).\(key)" }, node: node.id) }
        }
        for spec in type.parameters where spec.required && (node.configuration[spec.name]?.isNull ?? true) {
            found.append(Problem(.missingParameter, path: "\(base()).\(spec.name)",
                                 message: "\(type.displayName) '\(node.id)' needs '\(spec.name)': \(spec.description)",
                                 suggestion: spec.example.map { "e.g. \(spec.name): \(Self.sample($0))" }, nodeID: node.id))
        }
        let declared = type.parameters.map(\.name)
        for key in unknown {
            let suggestion = closestMatch(to: key, among: declared).map { "did you mean '\($0)'?" }
                ?? "\(type.id) takes: \(declared.joined(separator: ", "))"
            found.append(Problem(.unknownParameter, path: "\(base()).\(key)", message: "\(type.id) has no parameter '\(key)'; it is ignored",
                                 suggestion: suggestion, nodeID: node.id))
        }
        // Dictionary order varies from run to run; the report must not.
        problems += found.count > 1 ? found.sorted { $0.path < $1.path } : found
        for rule in type.requiredWhen
        where rule.applies(to: node.configuration, defaultValue: type.parameter(rule.parameter)?.defaultValue) {
            for name in rule.required where node.configuration[name]?.isNull ?? true {
                report(.missingParameter, "\(base()).\(name)",
                       "\(type.displayName) '\(node.id)' needs '\(name)' when \(rule.parameter) is \(rule.value)",
                       suggestion: type.parameter(name)?.example.map { "e.g. \(name): \(Self.sample($0))" }, node: node.id)
            }
        }
        for group in type.requiresOneOf where !group.contains(where: { !(node.configuration[$0]?.isNull ?? true) }) {
            report(.missingParameter, base(),
                   "\(type.displayName) '\(node.id)' needs one of: \(group.joined(separator: ", "))",
                   suggestion: "set \(group[0])", node: node.id)
        }
        if type.id == "trigger.webhook", case .string(let hookPath)? = node.configuration["webhook_path"],
            !Template.containsPlaceholder(hookPath), !Self.isValidWebhookPath(hookPath)
        {
            report(.invalidWebhookPath, "\(base()).webhook_path",
                   "webhook path '\(hookPath)' must start with '/' and hold only letters, digits and - _ . / characters",
                   suggestion: "use '/\(Validator.normalizedID(hookPath).replacingOccurrences(of: "_", with: "-"))'",
                   node: node.id)
        }
    }

    static func isValidWebhookPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.count <= 200 else { return false }
        return path.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "-_./".unicodeScalars.contains($0)
        }
    }

    /// Problems with `value` as a `type` (the declared type of `spec`, or a part of it).
    func check(_ value: JSONValue, spec: ParameterSpec, type: ParameterType, path: () -> String, node: String) -> [Problem] {
        // A placeholder is checked for syntax and references elsewhere; its type is known only when it runs.
        if case .string(let text) = value, Template.containsPlaceholder(text) {
            return secretCheck(value, spec: spec, path: path, node: node)
        }
        var found: [Problem] = []
        func mistyped(_ expected: String, _ suggestion: String? = nil) {
            found.append(Problem(.invalidParameterType, path: path(),
                                 message: "'\(spec.name)' must be \(expected), not a \(value.kindName) (\(Self.sample(value)))",
                                 suggestion: suggestion, nodeID: node))
        }
        switch type {
        case .string, .text:
            switch value {
            case .string, .int, .double, .bool: found += allowedCheck(value, spec: spec, path: path, node: node)
            default: mistyped("text")
            }
            found += secretCheck(value, spec: spec, path: path, node: node)
        case .integer:
            if case .bool = value {
                mistyped("a whole number")
            } else if let whole = value.intValue {
                found += rangeCheck(Double(whole), spec: spec, path: path, node: node)
            } else {
                mistyped("a whole number", Self.unquoteHint(value, Int.self))
            }
        case .number:
            if let number = value.doubleValue {
                found += rangeCheck(number, spec: spec, path: path, node: node)
            } else {
                mistyped("a number", Self.unquoteHint(value, Double.self))
            }
        case .boolean:
            if case .bool = value { break }
            mistyped("true or false", value.stringValue.map { ["yes", "no", "on", "off", "true", "false"].contains($0.lowercased()) } == true
                ? "write true or false without quotes" : nil)
        case .duration:
            if let seconds = DurationText.seconds(from: value) {
                found += rangeCheck(seconds, spec: spec, path: path, node: node)
            } else {
                found.append(Problem(.invalidDuration, path: path(),
                                     message: "'\(spec.name)' must be a duration such as 300, 90s, 5m or 1h30m, not \(Self.sample(value))",
                                     nodeID: node))
            }
        case .cron:
            guard case .string(let text) = value else { mistyped("a cron expression"); break }
            do { _ = try CronExpression(text) } catch {
                found.append(Problem(.invalidCron, path: path(), message: "'\(text)' is not a valid cron expression: \(error.message)",
                                     suggestion: error.hint, nodeID: node))
            }
        case .timezone:
            guard case .string(let text) = value else { mistyped("a time zone name"); break }
            if TimeZone(identifier: text) == nil {
                found.append(Problem(.invalidTimezone, path: path(), message: "'\(text)' is not a known time zone",
                                     suggestion: Self.timezoneSuggestion(text), nodeID: node))
            }
        case .condition:
            switch value {
            case .string, .bool: break
            default: mistyped("a condition such as \"{{ a > 1 }}\"")
            }
        case .any:
            break
        case .list(let element):
            guard case .array(let elements) = value else {
                mistyped("a list", "write [\(Self.sample(value))]")
                break
            }
            for (index, item) in elements.enumerated() {
                found += check(item, spec: spec, type: element, path: { "\(path())[\(index)]" }, node: node)
            }
        case .object(let fields):
            guard case .object(let members) = value else { mistyped("an object with \(fields.map(\.name).joined(separator: ", "))"); break }
            found += checkObject(members, fields: fields, path: path, node: node)
        case .map(let valueType):
            guard case .object(let members) = value else { mistyped("a mapping of names to values"); break }
            for key in members.keys.sorted() {
                found += check(members[key]!, spec: spec, type: valueType, path: { "\(path()).\(key)" }, node: node)
            }
        case .oneOf(let types):
            if !types.contains(where: { check(value, spec: spec, type: $0, path: path, node: node).isEmpty }) {
                mistyped(types.map(\.displayName).joined(separator: " or "))
            }
        }
        return found
    }

    private func checkObject(_ members: [String: JSONValue], fields: [ParameterSpec], path: () -> String, node: String) -> [Problem] {
        var found: [Problem] = []
        for field in fields {
            guard let member = members[field.name], !member.isNull else {
                if field.required {
                    found.append(Problem(.missingParameter, path: "\(path()).\(field.name)",
                                         message: "'\(path().split(separator: ".").last ?? "")' needs '\(field.name)': \(field.description)",
                                         nodeID: node))
                }
                continue
            }
            found += check(member, spec: field, type: field.type, path: { "\(path()).\(field.name)" }, node: node)
        }
        let names = fields.map(\.name)
        for key in members.keys.sorted() where !names.contains(key) {
            found.append(Problem(.unknownParameter, path: "\(path()).\(key)", message: "'\(key)' is not a known field here; it is ignored",
                                 suggestion: closestMatch(to: key, among: names).map { "did you mean '\($0)'?" }
                                    ?? "known fields: \(names.joined(separator: ", "))",
                                 nodeID: node))
        }
        return found
    }

    private func allowedCheck(_ value: JSONValue, spec: ParameterSpec, path: () -> String, node: String) -> [Problem] {
        guard let allowed = spec.allowedValues else { return [] }
        let text = value.renderedText
        guard !allowed.contains(text) else { return [] }
        let suggestion = allowed.first { $0.lowercased() == text.lowercased() }.map { "did you mean '\($0)'?" }
            ?? closestMatch(to: text, among: allowed).map { "did you mean '\($0)'?" }
            ?? "use one of: \(allowed.joined(separator: ", "))"
        return [Problem(.invalidEnumValue, path: path(),
                        message: "'\(text)' is not allowed for '\(spec.name)'; it takes \(allowed.joined(separator: ", "))",
                        suggestion: suggestion, nodeID: node)]
    }

    private func rangeCheck(_ number: Double, spec: ParameterSpec, path: () -> String, node: String) -> [Problem] {
        if let minimum = spec.minimum, number < minimum {
            return [Problem(.outOfRange, path: path(),
                            message: "'\(spec.name)' is \(JSONValue.format(number)); the smallest allowed is \(JSONValue.format(minimum))",
                            suggestion: "use \(JSONValue.format(minimum)) or more", nodeID: node)]
        }
        if let maximum = spec.maximum, number > maximum {
            return [Problem(.outOfRange, path: path(),
                            message: "'\(spec.name)' is \(JSONValue.format(number)); the largest allowed is \(JSONValue.format(maximum))",
                            suggestion: "use \(JSONValue.format(maximum)) or less", nodeID: node)]
        }
        return []
    }

    private func secretCheck(_ value: JSONValue, spec: ParameterSpec, path: () -> String, node: String) -> [Problem] {
        guard spec.isSecret, case .string(let text) = value, !text.isEmpty, !text.contains("secrets.") else { return [] }
        return [Problem(.secretInPlainText, path: path(),
                        message: "'\(spec.name)' holds a credential written in plain text; it would be stored with the workflow",
                        suggestion: "store it as a secret and write \"{{ secrets.\(spec.name.uppercased()) }}\"", nodeID: node)]
    }

    private static func unquoteHint<T: LosslessStringConvertible>(_ value: JSONValue, _: T.Type) -> String? {
        guard case .string(let text) = value, T(text.trimmingCharacters(in: .whitespaces)) != nil else { return nil }
        return "write \(text.trimmingCharacters(in: .whitespaces)) without quotes"
    }

    /// A value as it would be written in YAML, shortened for messages.
    static func sample(_ value: JSONValue) -> String {
        let text: String
        if case .string(let string) = value { text = "\"\(string)\"" } else { text = value.jsonText }
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
