import Foundation
import Hummingbird

/// The visual editor: `/` serves `Editor/index.html` and `/editor/…` its styles and ES modules. The files are bundled
/// into the binary (scripts/bundle-resources.py); `editorDirectory` serves them from disk instead, for working on them.
struct EditorRoutes {
    let editorDirectory: String?

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in file("index.html") }
        router.get("editor/**") { _, context in
            file(context.parameters.getCatchAll().joined(separator: "/"))
        }
    }

    func file(_ path: String) -> Response {
        guard let text = contents(path) else {
            return ServiceResponse.problem(.notFound, "Not found", detail: "the editor has no file '\(path)'")
        }
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType(path), .cacheControl: editorDirectory == nil ? "no-cache" : "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func contents(_ path: String) -> String? {
        // Only plain relative names: nothing outside the editor's folder is ever served.
        let parts = path.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else { return nil }
        guard let editorDirectory else { return BundledEditor.files[path] }
        return try? String(contentsOfFile: editorDirectory + "/" + path, encoding: .utf8)
    }

    static func contentType(_ path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "text/plain; charset=utf-8"
        }
    }
}
