import Foundation
import Testing
@testable import WindFlowServer

@Suite(.serialized)
struct EditorRouteTests {
    @Test func theEditorIsServedWithoutAKeyAndNothingOutsideItsFolder() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let page = try await service.request("GET", "/", auth: false)
        #expect(page.status == 200)
        #expect(page.headers.header("content-type") == "text/html; charset=utf-8")
        #expect(page.json.stringValue?.contains("<html") == true)
        #expect(page.headers.header("content-security-policy")?.contains("frame-ancestors 'none'") == true)
        #expect(page.headers.header("x-content-type-options") == "nosniff")
        for path in ["/editor/../Package.swift", "/editor/.hidden", "/editor/nope.js"] {
            #expect(try await service.request("GET", path, auth: false).status == 404, "\(path)")
        }
        await service.stop()
    }

    @Test func whatTheEditorReadsUnknownRoutesValidationAndProposals() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let unknown = try await service.request("GET", "/api/v1/nope")
        #expect(unknown.status == 404)
        #expect(unknown.headers.header("content-type") == "application/problem+json")
        #expect(unknown.json["detail"]?.stringValue?.contains("no route GET /api/v1/nope") == true)
        // Validation also returns the workflow as read: shorthands expanded, so an import needs no YAML parser.
        let checked = try await service.request("POST", "/api/v1/validate", body: """
            name: seedlike
            trigger: {type: schedule, schedule: "0 3 * * *"}
            nodes:
              - {id: clean, type: integration.script, configuration: {script: "echo clean"}}
            """)
        #expect(checked.json["valid"] == true)
        let nodes = checked.json["workflow"]?["workflow"]?["nodes"]?.arrayValue ?? []
        #expect(nodes.compactMap { $0["id"]?.stringValue } == ["trigger", "clean"])
        #expect(checked.json["workflow"]?["workflow"]?["edges"]?.arrayValue?.count == 1)
        let designed = try await service.request("POST", "/api/v1/designs", body: #"{"prose": "every night at 3am back up the shop stack"}"#)
        #expect(designed.json["workflow"]?["workflow"]?["nodes"]?.arrayValue?.isEmpty == false, "a proposal carries its workflow as JSON")
        await service.stop()
    }

    @Test func theBinaryCarriesEveryFileOfTheEditorFolder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Editor")
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        let names = files.map { String($0.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)) }
        #expect(Set(names) == Set(BundledEditor.files.keys), "the EmbedResources plugin embeds every file under Editor/")
        for file in files {
            let name = String(file.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
            #expect(BundledEditor.files[name] == (try String(contentsOf: file, encoding: .utf8)), "Editor/\(name) is embedded as it is")
        }
    }
}

@Suite(.serialized)
struct StackRouteTests {
    @Test func stacksAreCheckedStoredListedAndDeleted() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let good = "services:\n  web:\n    image: \"nginx:${TAG:-1.25}\"\n    ports: [\"80\"]\nvolumes: {}\n"
        let created = try await service.request("PUT", "/api/v1/stacks/shop", body: good)
        #expect(created.status == 201)
        #expect(try await service.request("PUT", "/api/v1/stacks/shop", body: good).status == 200, "replacing is not creating")
        let bad = "services:\n  web:\n    ports: [\"eighty\"]\n"
        let refused = try await service.request("PUT", "/api/v1/stacks/blog", body: bad)
        #expect(refused.status == 422)
        let problems = refused.json["problems"]?.arrayValue ?? []
        #expect(problems.contains { $0["path"]?.stringValue?.hasPrefix("services.web") == true && $0["line"] != nil }, "\(refused.json)")
        #expect(try await service.request("GET", "/api/v1/stacks/blog").status == 404, "nothing was stored")
        #expect(try await service.request("PUT", "/api/v1/stacks/..%2Fetc", body: good).status == 400)
        let listed = try await service.request("GET", "/api/v1/stacks")
        #expect(listed.json.arrayValue?.compactMap { $0["name"]?.stringValue } == ["shop"])
        let shown = try await service.request("GET", "/api/v1/stacks/shop")
        #expect(shown.json["definition"]?.stringValue == good)
        #expect(try await service.request("DELETE", "/api/v1/stacks/shop").status == 204)
        #expect(try await service.request("DELETE", "/api/v1/stacks/shop").status == 404)
        await service.stop()
    }
}
