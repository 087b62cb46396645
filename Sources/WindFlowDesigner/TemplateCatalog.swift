import Foundation
import WindFlowCore

/// The workflow templates: those shipped in the binary (from Templates/), or those of a folder
/// (`--templates-dir`, `WINDFLOW_TEMPLATES_DIR`) when one is given.
public struct TemplateCatalog: Sendable {
    public struct Entry: Sendable {
        /// The file name without `.yaml`: `nightly-database-backup`.
        public var id: String
        public var workflow: Workflow
        public var yaml: String
    }

    public let entries: [Entry]

    /// - Throws: ``DesignError`` when the folder cannot be read; a template that does not load is skipped (the
    ///   template tests keep the shipped ones valid).
    public init(directory: String? = nil) throws {
        var files: [(String, String)] = []
        if let directory {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw DesignError("cannot read the templates folder \(directory)")
            }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = (directory as NSString).appendingPathComponent(name)
                if let text = try? String(contentsOfFile: path, encoding: .utf8) { files.append((name, text)) }
            }
        } else {
            files = BundledTemplates.files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        entries = files.compactMap { name, text in
            guard let loaded = try? WorkflowCodec.load(text) else { return nil }
            let id = name.replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".yml", with: "")
            return Entry(id: id, workflow: loaded.workflow, yaml: text)
        }
    }

    public func entry(_ id: String) -> Entry? {
        entries.first { $0.id == id || $0.workflow.name.lowercased() == id.lowercased() }
    }
}
