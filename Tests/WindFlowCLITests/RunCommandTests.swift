import Foundation
import Testing

@Suite(.serialized)
final class RunCommandTests {
    let scratch: URL
    let database: String

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        database = scratch.appendingPathComponent("db.sqlite").path
    }

    deinit {
        try? FileManager.default.removeItem(at: scratch)
    }

    func write(_ yaml: String, name: String = "wf.yaml") throws -> String {
        let url = scratch.appendingPathComponent(name)
        try Data(yaml.utf8).write(to: url)
        return url.path
    }

    @Test func runPrintsEachNodeAndExits0OnSuccess() async throws {
        let file = try write("""
            name: hello
            nodes:
              - {id: start, type: trigger.manual}
              - {id: greet, type: integration.script, configuration: {script: "echo hi {{ trigger.who }}"}}
              - {id: check, type: logic.condition, configuration: {condition: "trigger.count > 1"}}
              - {id: many, type: logic.stop, configuration: {message: "many"}}
              - {id: few, type: logic.stop, configuration: {message: "few"}}
            edges:
              - {source: start, target: greet}
              - {source: greet, target: check}
              - {source: check, target: many, branch: "true"}
              - {source: check, target: few, branch: "false"}
            """)
        let result = try await windflow(["run", file, "--db", database, "--input", "who=Ada", "--input", "count=3"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { line in
            // Durations vary; keep the words.
            line.replacingOccurrences(of: #"in \d+\.\d\d s"#, with: "in T", options: .regularExpression)
        }
        #expect(lines.first?.hasPrefix("execution ex_") == true)
        #expect(Array(lines.dropFirst()) == [
            "greet: started", "  greet | hi Ada", "greet: succeeded in T", "check: started", "check: succeeded in T", "few: skipped",
            "many: started", "many: succeeded in T", "execution succeeded",
        ])
        let shown = try await windflow(["executions", "list", "--db", database])
        #expect(shown.stdout.contains("succeeded") && shown.stdout.contains("hello v1"))
    }

    @Test func aFailedRunExits1AndShowsWhereAndWhy() async throws {
        let file = try write("""
            name: failing
            nodes:
              - {id: start, type: trigger.manual}
              - {id: tests, type: integration.script, configuration: {script: "echo FAIL: 2 tests >&2; exit 2"}}
            """)
        let result = try await windflow(["run", file, "--db", database])
        #expect(result.status == 1)
        #expect(result.stdout.contains("tests: failed in"))
        #expect(result.stdout.contains("the script exited with status 2: FAIL: 2 tests"))
        let id = String(result.stdout.split(separator: " ")[1])
        let show = try await windflow(["executions", "show", id, "--db", database])
        #expect(show.stdout.contains("execution \(id): failed"))
        #expect(show.stdout.contains("error     [exit] tests: the script exited with status 2: FAIL: 2 tests"))
        // Retrying starts again from the failed node (which still fails).
        let retry = try await windflow(["executions", "retry", id, "--db", database])
        #expect(retry.status == 1)
        #expect(retry.stdout.contains("again from tests"))
    }

    @Test func aDeploymentOfAMissingStackSaysWhereItLooked() async throws {
        let stacks = (database as NSString).deletingLastPathComponent + "/stacks"
        try FileManager.default.createDirectory(atPath: stacks, withIntermediateDirectories: true)
        try "services: {web: {image: nginx}}\n".write(toFile: stacks + "/blog.yaml", atomically: true, encoding: .utf8)
        let file = try write("""
            name: later
            nodes:
              - {id: start, type: trigger.manual}
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: shop}}
            """)
        let result = try await windflow(["run", file, "--db", database, "--stacks-dir", stacks])
        #expect(result.status == 1)
        #expect(result.stdout.contains("there is no stack 'shop' in \(stacks) (stacks there: blog)"), "\(result.stdout)")
    }

    @Test func stacksArePutListedShownAndDeleted() async throws {
        let good = try write("services:\n  web: {image: \"nginx:1.25\", ports: [\"80\"]}\n", name: "shop.yaml")
        let bad = try write("services:\n  web:\n    ports: [\"eighty\"]\n", name: "bad.yaml")
        let refused = try await windflow(["stacks", "put", "blog", bad, "--db", database])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("bad.yaml:3: error: services.web"), "\(refused.stdout)")
        #expect(refused.stderr.contains("nothing was stored"))
        let stored = try await windflow(["stacks", "put", "shop", good, "--db", database])
        #expect(stored.status == 0 && stored.stdout == "stored stack 'shop'\n", "\(stored.stderr)")
        #expect(try await windflow(["stacks", "list", "--db", database]).stdout.hasPrefix("shop  "))
        #expect(try await windflow(["stacks", "show", "shop", "--db", database]).stdout == "services:\n  web: {image: \"nginx:1.25\", ports: [\"80\"]}\n")
        #expect(try await windflow(["stacks", "delete", "shop", "--db", database]).stdout == "deleted stack 'shop'\n")
        #expect(try await windflow(["stacks", "show", "shop", "--db", database]).status == 1)
    }

    @Test func anInvalidWorkflowIsRefusedWithItsProblems() async throws {
        let file = try write("name: bad\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop, configuration: {message: \"{{ nope.x }}\"}}\n")
        let result = try await windflow(["run", file, "--db", database])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not valid"))
        #expect(result.stderr.contains("'nope.x' reads 'nope'"))
    }

    @Test func badInputsAreUsageErrors() async throws {
        let file = try write("name: x\nnodes:\n  - {id: start, type: trigger.manual}\n")
        let result = try await windflow(["run", file, "--db", database, "--input", "novalue"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--input 'novalue' must be key=value"))
    }

    @Test func logsAndCancelNameMissingExecutions() async throws {
        let result = try await windflow(["executions", "cancel", "ex_nope", "--db", database])
        #expect(result.status == 1)
        #expect(result.stderr.contains("there is no execution 'ex_nope'"))
    }
}

@Suite(.serialized)
struct ProxyTests {
    @Test func httpNodesUseTheProxyFromTheEnvironment() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The test server answers absolute-URI requests, so it can act as the proxy.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/test-peers/http_server.py").path]
        let pipe = Pipe()
        server.standardOutput = pipe
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        let port = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = scratch.appendingPathComponent("proxied.yaml")
        try Data("""
            name: proxied
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "http://service.internal.invalid/json"}}
              - {id: show, type: integration.script, configuration: {script: "echo name={{ call.body.name }}"}}
            """.utf8).write(to: file)
        let result = try await windflow(["run", file.path, "--db", scratch.appendingPathComponent("db.sqlite").path],
                                  environment: ["http_proxy": "http://127.0.0.1:\(port)"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("name=windflow"))
    }
}
