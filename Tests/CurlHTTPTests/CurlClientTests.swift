import Foundation
import TestSupport
import Testing
@testable import CurlHTTP

@Suite(.serialized)
struct CurlClientTests {
    let server: LoopbackServer
    let client = CurlClient.shared

    init() async throws {
        server = try await LoopbackServer.start()
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let response = try await client.perform(CurlRequest(url: server.base + "/json"))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        #expect(object?["name"] as? String == "windflow")
    }

    @Test func postSendsMethodHeadersAndBody() async throws {
        let request = CurlRequest(method: "PUT", url: server.base + "/echo", headers: [("X-Test", "yes"), ("Content-Type", "application/json")],
                                  body: Data("{\"a\":1}".utf8))
        let response = try await client.perform(request)
        let echo = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        #expect(echo?["method"] as? String == "PUT")
        #expect(echo?["body"] as? String == "{\"a\":1}")
        #expect((echo?["headers"] as? [String: String])?["x-test"] == "yes")
    }

    @Test func statusesAreReturnedNotThrown() async throws {
        #expect(try await client.perform(CurlRequest(url: server.base + "/status/503")).status == 503)
        #expect(try await client.perform(CurlRequest(url: server.base + "/auth")).status == 401)
    }

    @Test func redirectsAreFollowedOrNot() async throws {
        let followed = try await client.perform(CurlRequest(url: server.base + "/redirect?n=3&to=/json"))
        #expect(followed.status == 200)
        #expect(followed.effectiveURL.hasSuffix("/json"))
        let stopped = try await client.perform(CurlRequest(url: server.base + "/redirect?n=1", followRedirects: false))
        #expect(stopped.status == 302)
        #expect(stopped.header("location") == "/json")
        await #expect(throws: CurlError.self) {
            _ = try await client.perform(CurlRequest(url: server.base + "/redirect?n=5", maxRedirects: 2))
        }
    }

    @Test func bodiesStreamFromAndResponsesToFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-curl-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.txt").path
        try Data("0123456789abcdefghij".utf8).write(to: URL(fileURLWithPath: source))
        // A section of the file is the body, and a 2xx answer lands in the response file, not in memory.
        var request = CurlRequest(method: "PUT", url: server.base + "/echo", headers: [("Content-Type", "text/plain")])
        request.bodyFile = FileSection(path: source, offset: 5, length: 10)
        let answer = folder.appendingPathComponent("answer.json").path
        request.responseFile = answer
        let response = try await client.perform(request)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        let echo = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: answer))) as? [String: Any]
        #expect(echo?["method"] as? String == "PUT")
        #expect(echo?["body"] as? String == "56789abcde")
        // Another status's body is collected, so its error can be read; the file stays empty.
        var failing = CurlRequest(url: server.base + "/status/404")
        failing.responseFile = answer
        let missing = try await client.perform(failing)
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == "status 404")
        #expect(try Data(contentsOf: URL(fileURLWithPath: answer)).isEmpty)
        // A body file that is not there, or shorter than its section, is a file error naming it.
        var absent = CurlRequest(method: "PUT", url: server.base + "/echo")
        absent.bodyFile = FileSection(path: folder.appendingPathComponent("absent").path, length: 3)
        await #expect { _ = try await client.perform(absent) } throws: { ($0 as? CurlError)?.kind == .file && "\($0)".contains("absent") }
        var short = CurlRequest(method: "PUT", url: server.base + "/echo")
        short.bodyFile = FileSection(path: source, offset: 15, length: 10)
        await #expect { _ = try await client.perform(short) } throws: { ($0 as? CurlError)?.kind == .file && "\($0)".contains("shorter") }
    }

    @Test func chunkedBodiesArriveWhole() async throws {
        let response = try await client.perform(CurlRequest(url: server.base + "/chunked"))
        #expect(String(decoding: response.body, as: UTF8.self) == (0..<5).map { "chunk \($0)\n" }.joined())
    }

    @Test func errorsAreClassifiedAndNameTheURL() async throws {
        func failure(_ request: CurlRequest) async -> CurlError? {
            do { _ = try await client.perform(request); return nil } catch { return error as? CurlError }
        }
        let refused = await failure(CurlRequest(url: "http://127.0.0.1:9/x"))
        #expect(refused?.kind == .connectionRefused)
        #expect(refused?.url == "http://127.0.0.1:9/x")
        #expect(refused?.isRetryable == true)
        let large = await failure(CurlRequest(url: server.base + "/huge?bytes=200000", maxResponseBytes: 100_000))
        #expect(large?.kind == .tooLarge)
        let timeout = await failure(CurlRequest(url: server.base + "/slow?seconds=3", timeout: 0.3))
        #expect(timeout?.kind == .timeout)
        let dropped = await failure(CurlRequest(url: server.base + "/drop"))
        #expect(dropped?.kind == .connectionLost)
        let dns = await failure(CurlRequest(url: "http://no-such-host.invalid/", timeout: 5))
        #expect(dns?.kind == .dns)
        let credentials = await failure(CurlRequest(url: "http://admin:hunter2@127.0.0.1:9/x?token=abc&page=2"))
        #expect(credentials?.description.contains("hunter2") == false)
        #expect(credentials?.description.contains("abc") == false)
        #expect(credentials?.url == "http://***@127.0.0.1:9/x?token=***&page=2")
    }

    @Test func cancellingTheTaskAbortsTheTransferPromptly() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { try await client.perform(CurlRequest(url: server.base + "/slow?seconds=30")) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        // Far from the 30 s the answer takes, with room for a loaded machine.
        #expect(clock.now - started < .seconds(20))
        guard case .failure(let error) = result else {
            Issue.record("the transfer was not cancelled")
            return
        }
        #expect((error as? CurlError)?.kind == .cancelled)
    }

    @Test func serverSentEventsStreamAsTheyArrive() async throws {
        let (head, body) = try await client.stream(CurlRequest(url: server.base + "/sse?n=4&gap=0.1"))
        #expect(head.status == 200)
        #expect(head.header("content-type") == "text/event-stream")
        var text = ""
        var chunks = 0
        for try await chunk in body {
            chunks += 1
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(chunks >= 2, "events arrived in one piece, not streamed")
        #expect(text.components(separatedBy: "data: ").count - 1 == 4)
    }

    @Test func manyConcurrentRequestsShareOneThread() async throws {
        let base = server.base
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { try await CurlClient.shared.perform(CurlRequest(url: base + "/json")).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 100)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test func unixSocketsCarryHTTP() async throws {
        // A unix-socket HTTP server: python's http.server bound to an AF_UNIX socket.
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("wf-\(UUID().uuidString.prefix(8)).sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import socketserver, http.server, os, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b'{"ApiVersion":"1.41"}'
                    self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
                def address_string(self): return 'unix'
            class S(socketserver.UnixStreamServer): pass
            s = S(sys.argv[1], H); print('ready', flush=True); s.serve_forever()
            """, socket]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(atPath: socket)
        }
        _ = output.fileHandleForReading.availableData
        let response = try await client.perform(CurlRequest(url: "http://docker/version", unixSocketPath: socket))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"ApiVersion\":\"1.41\"}")
    }
}

@Suite(.serialized)
struct CurlTLSTests {
    @Test func certificatesAreVerifiedByDefault() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path, cert = directory.appendingPathComponent("cert.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        make.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"]
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        let port = Int.random(in: 40_000..<60_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))
        do {
            _ = try await CurlClient.shared.perform(CurlRequest(url: "https://127.0.0.1:\(port)/", timeout: 5))
            Issue.record("a self-signed certificate was accepted")
        } catch let error as CurlError {
            #expect(error.kind == .tls, "\(error)")
        }
        let insecure = try await CurlClient.shared.perform(CurlRequest(url: "https://127.0.0.1:\(port)/", timeout: 5, verifyTLS: false))
        #expect(insecure.status == 200)
    }
}
