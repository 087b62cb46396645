import Foundation
import HTTPTypes
import Hummingbird

/// The visual editor: `/` serves `Editor/index.html` and `/editor/…` its styles and ES modules. The files are embedded
/// into the binary at build time (the EmbedResources plugin); `editorDirectory` serves them from disk instead, for working on them.
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
        var headers: HTTPFields = [.contentType: Self.contentType(path), .cacheControl: editorDirectory == nil ? "no-cache" : "no-store"]
        // The same policy as the page's meta tag, plus what only a header can say: never inside another site's frame.
        headers[.contentSecurityPolicy] = Self.policy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func contents(_ path: String) -> String? {
        // Only plain relative names: nothing outside the editor's folder is ever served.
        let parts = path.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else { return nil }
        guard let editorDirectory else { return BundledEditor.files[path] }
        return try? String(contentsOfFile: editorDirectory + "/" + path, encoding: .utf8)
    }

    static let policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

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
