import Foundation
import Mustache

/// The prompt templates (`Prompts/*.mustache`): the bundled defaults, each replaceable by a file of the same name in
/// an override folder (`--prompts-dir`, `WINDFLOW_PROMPTS_DIR`), read when the library is made.
public struct PromptLibrary: Sendable {
    private let templates: [String: MustacheTemplate]
    /// Where each template came from: `bundled` or a file path.
    public let sources: [String: String]

    /// - Throws: ``DesignError`` naming the file and the Mustache error when an override does not parse.
    public init(overrides directory: String? = nil) throws {
        var texts = BundledPrompts.files.map { ($0.key, $0.value, "bundled") }
        if let directory {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            guard FileManager.default.fileExists(atPath: directory) else {
                throw DesignError("the prompts folder \(directory) does not exist")
            }
            for file in files where file.hasSuffix(".mustache") {
                let path = (directory as NSString).appendingPathComponent(file)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                texts.removeAll { $0.0 == file }
                texts.append((file, text, path))
            }
        }
        var templates: [String: MustacheTemplate] = [:]
        var sources: [String: String] = [:]
        for (file, text, source) in texts {
            let name = String(file.dropLast(".mustache".count))
            do {
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                throw DesignError("the prompt template \(source == "bundled" ? file : source) does not parse: \(error)")
            }
            sources[name] = source
        }
        self.templates = templates
        self.sources = sources
    }

    /// The prompt `name` rendered with `values` (strings, lists of strings, nested dictionaries).
    func render(_ name: String, _ values: [String: Any]) -> String {
        guard let template = templates[name] else { return "" }
        return template.render(values).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var names: [String] { templates.keys.sorted() }
}
