import Foundation
import PackagePlugin

/// Embeds the repository's editor, workflow templates and prompt templates into the binary at build time, so an
/// installed `windflow` serves the editor and carries its templates and prompts without the source tree, and
/// nothing generated is committed. Each folder becomes an enum with `static let files: [String: String]`, keyed by
/// the file's path under the folder.
@main
struct EmbedResources: BuildToolPlugin {
    /// A folder of the repository embedded as one enum.
    struct Bundle {
        let name: String
        let summary: String
        let folder: String
        /// The file extensions embedded; empty for every file.
        let extensions: Set<String>
    }

    /// What each target embeds.
    static let bundles: [String: [Bundle]] = [
        "WindFlowDesigner": [
            Bundle(name: "BundledPrompts", summary: "The default prompt templates", folder: "Prompts", extensions: ["mustache"]),
            Bundle(name: "BundledTemplates", summary: "The workflow templates shipped with WindFlow", folder: "Templates", extensions: ["yaml"]),
        ],
        "WindFlowServer": [
            Bundle(name: "BundledEditor", summary: "The visual editor's files", folder: "Editor", extensions: []),
        ],
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "EmbedResourcesTool")
        return try (Self.bundles[target.name] ?? []).map { bundle in
            let folder = context.package.directoryURL.appending(path: bundle.folder)
            let output = context.pluginWorkDirectoryURL.appending(path: "\(bundle.name).swift")
            return .buildCommand(
                displayName: "Embedding \(bundle.folder) into \(bundle.name)",
                executable: tool.url,
                arguments: [bundle.name, bundle.summary, folder.path, output.path] + bundle.extensions.sorted(),
                // The files, for edits, and the folders, for files added: SwiftPM plans the build again only when
                // the package changes, so the tool lists the folder itself when it runs.
                inputFiles: try Self.entries(under: folder),
                outputFiles: [output]
            )
        }
    }

    /// The folder and everything under it (hidden entries left out).
    static func entries(under folder: URL) throws -> [URL] {
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        else { return [folder] }
        return [folder] + walk.compactMap { $0 as? URL }
    }
}
