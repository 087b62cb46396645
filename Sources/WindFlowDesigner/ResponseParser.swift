import Foundation
import WindFlowCore

/// What a model's answer held: a workflow (with the shape problems met reading it), its explanation and assumptions.
public struct ParsedAnswer: Sendable {
    public var loaded: LoadedWorkflow
    public var explanation: String
    public var assumptions: [String]
}

/// Reads a model's answer tolerantly: code fences, prose around the JSON, YAML instead of JSON, the workflow bare or
/// wrapped in `{"workflow": …}`.
public enum ResponseParser {
    /// - Throws: ``DesignError`` saying what the answer was instead of a workflow (for the repair prompt and the user).
    public static func parse(_ text: String) throws -> ParsedAnswer {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DesignError("the model's answer was empty") }
        var candidates: [String] = []
        candidates += fencedBlocks(trimmed)
        candidates.append(trimmed)
        if let object = outermostObject(trimmed) { candidates.append(object) }
        var lastError: String?
        for candidate in candidates {
            if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(candidate.utf8)), case .object = value {
                return try answer(from: value)
            }
            // YAML (or JSON with trailing commas and comments, which YAML mostly reads).
            do {
                let loaded = try WorkflowCodec.load(candidate)
                if !loaded.workflow.nodes.isEmpty || candidate.contains("nodes") {
                    return ParsedAnswer(loaded: loaded, explanation: "", assumptions: [])
                }
            } catch {
                lastError = error.description
            }
        }
        if trimmed.hasPrefix("{"), outermostObject(trimmed) == nil {
            throw DesignError("the model's answer stops in the middle of its JSON (\(trimmed.count) characters): it was cut off; raise max tokens or ask for a smaller workflow")
        }
        throw DesignError("the model's answer holds no workflow JSON\(lastError.map { " (\($0))" } ?? ""): \(String(trimmed.prefix(160)))")
    }

    private static func answer(from value: JSONValue) throws -> ParsedAnswer {
        let workflowValue: JSONValue
        if let wrapped = value["workflow"], case .object = wrapped { workflowValue = wrapped } else { workflowValue = value }
        guard workflowValue["nodes"] != nil else {
            throw DesignError("the model's JSON has no 'nodes' (keys: \(value.objectValue?.keys.sorted().joined(separator: ", ") ?? ""))")
        }
        let loaded: LoadedWorkflow
        do { loaded = try WorkflowCodec.load(workflowValue.jsonText) } catch { throw DesignError("the model's workflow cannot be read: \(error)") }
        let explanation = value["explanation"]?.stringValue ?? ""
        let assumptions = value["assumptions"]?.arrayValue?.compactMap(\.stringValue) ?? (value["assumptions"]?.stringValue).map { [$0] } ?? []
        return ParsedAnswer(loaded: loaded, explanation: explanation, assumptions: assumptions)
    }

    /// The bodies of ``` fenced blocks, JSON and YAML ones first.
    static func fencedBlocks(_ text: String) -> [String] {
        var blocks: [(String, Bool)] = []
        var rest = Substring(text)
        while let open = rest.range(of: "```") {
            let afterFence = rest[open.upperBound...]
            let lineEnd = afterFence.firstIndex(of: "\n") ?? afterFence.endIndex
            let language = afterFence[..<lineEnd].trimmingCharacters(in: .whitespaces).lowercased()
            let body = afterFence[lineEnd...]
            guard let close = body.range(of: "```") else {
                blocks.append((String(body), ["json", "yaml", "yml"].contains(language)))
                break
            }
            blocks.append((String(body[..<close.lowerBound]), ["json", "yaml", "yml"].contains(language)))
            rest = body[close.upperBound...]
        }
        return blocks.sorted { $0.1 && !$1.1 }.map { $0.0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The first balanced `{ … }` in `text`, strings and escapes respected.
    static func outermostObject(_ text: String) -> String? {
        guard let start = text.firstIndex(of: "{") else { return nil }
        var depth = 0, inString = false, escaped = false
        var index = start
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "{" {
                depth += 1
            } else if character == "}" {
                depth -= 1
                if depth == 0 { return String(text[start...index]) }
            }
            index = text.index(after: index)
        }
        return nil
    }
}
