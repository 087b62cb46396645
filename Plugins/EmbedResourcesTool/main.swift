import Foundation

// Writes a Swift file holding the text files under a folder as string literals, for the EmbedResources plugin:
//   EmbedResourcesTool NAME SUMMARY FOLDER OUTPUT [EXTENSION...]
// The enum NAME gets `static let files: [String: String]`, keyed by each file's path under FOLDER; with extensions,
// only the files that end with one of them.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: EmbedResourcesTool NAME SUMMARY FOLDER OUTPUT [EXTENSION...]\n".utf8))
    exit(2)
}
let name = arguments[arguments.startIndex]
let summary = arguments[arguments.startIndex + 1]
let folder = URL(fileURLWithPath: arguments[arguments.startIndex + 2]).standardizedFileURL.path + "/"
let output = URL(fileURLWithPath: arguments[arguments.startIndex + 3])
let extensions = Set(arguments.dropFirst(4))

/// The regular files under `folder` (hidden ones left out) with one of `extensions`, sorted by path.
func files(under folder: String) -> [String] {
    let walk = FileManager.default.enumerator(at: URL(fileURLWithPath: folder), includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
    return (walk?.compactMap { $0 as? URL } ?? [])
        .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        .filter { extensions.isEmpty || extensions.contains($0.pathExtension) }
        .map(\.standardizedFileURL.path)
        .sorted()
}

/// A raw multi-line literal of `text`, with enough `#` that nothing in the text can close it or read as an escape.
func literal(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

var lines = [
    "// Generated at build time by the EmbedResources plugin from \(URL(fileURLWithPath: folder).lastPathComponent)/; do not edit.",
    "",
    "enum \(name) {",
    "    /// \(summary), by path under the folder.",
    "    static let files: [String: String] = [",
]
do {
    let paths = files(under: folder)
    for path in paths {
        let key = String(path.dropFirst(folder.count))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        lines.append("        \"\(key)\": \(literal(text)),")
    }
    if paths.isEmpty { lines.append("        :") }
    lines += ["    ]", "}", ""]
    try lines.joined(separator: "\n").write(to: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("EmbedResourcesTool: \(error)\n".utf8))
    exit(1)
}
