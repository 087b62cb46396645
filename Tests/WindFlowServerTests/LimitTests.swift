import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowServer

/// Limits that hold when clients send too much, too slowly or open too many streams, on the real server.
@Suite(.serialized)
struct LimitTests {
    static let limits = ServerConfiguration.ConnectionLimits(maxHeaderBytes: 8 * 1024, maxHeaderCount: 50, idleTimeout: 1, maxStreamsPerKey: 2)

    func started() async throws -> ServiceHarness {
        let service = try ServiceHarness()
        try await service.start(configuration: ServerConfiguration(port: 0, workers: 1, maxBodyBytes: 64 * 1024, limits: Self.limits))
        return service
    }

    @Test func anOversizedBodyIs413() async throws {
        let service = try await started()
        defer { service.remove() }
        let big = "name: big\ndescription: " + String(repeating: "x", count: 70 * 1024) + "\nnodes: []\n"
        let answer = try await service.request("POST", "/api/v1/workflows", body: big)
        #expect(answer.status == 413)
        #expect(answer.headers.header("content-type") == "application/problem+json")
        #expect(try service.store.workflows().isEmpty)
        await service.stop()
    }

    @Test func anOversizedHeadIs431WithAProblem() async throws {
        let service = try await started()
        defer { service.remove() }
        let connection = try RawConnection(port: service.port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "p", count: 12 * 1024))\r\n\r\n")
        let answer = connection.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(200))")
        #expect(answer.contains("application/problem+json") && answer.contains("Request header fields too large"), "\(answer)")
        #expect(try await service.request("GET", "/healthz", auth: false).status == 200, "the server goes on")
        await service.stop()
    }

    @Test func pastItsStreamLimitAKeyGets429() async throws {
        let service = try await started()
        defer { service.remove() }
        let auth = [("Authorization", "Bearer \(service.key)")]
        var open: [Any] = []
        for _ in 0..<2 {
            let (head, body) = try await CurlClient.shared.stream(CurlRequest(url: service.base + "/api/v1/events/stream", headers: auth, timeout: 10))
            #expect(head.status == 200)
            open.append(body)
        }
        let refused = try await service.request("GET", "/api/v1/events/stream")
        #expect(refused.status == 429)
        #expect(refused.json["title"] == "Too many streams")
        #expect(refused.headers.header("retry-after") == "5")
        let other = try service.store.createAPIKey(name: "other", now: 0)
        let (head, _) = try await CurlClient.shared.stream(CurlRequest(url: service.base + "/api/v1/events/stream",
                                                                          headers: [("Authorization", "Bearer \(other)")], timeout: 5))
        #expect(head.status == 200, "the limit is per key")
        withExtendedLifetime(open) {}
        await service.stop()
    }

    /// 50 connections sending their headers a byte every 100 ms: a normal request is still served at once, and each
    /// slow one is closed once it has taken the idle timeout (1 s here) without finishing its head.
    @Test func slowClientsNeitherBlockOthersNorStay() async throws {
        let service = try await started()
        defer { service.remove() }
        let slow = try (0..<50).map { _ in try RawConnection(port: service.port, timeout: 3) }
        let head = Array("GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
        let began = Date()
        for index in 0..<8 {
            for connection in slow { connection.send(String(head[index])) }
            try await Task.sleep(for: .milliseconds(100))
        }
        let asked = Date()
        let answer = try await service.request("GET", "/healthz", auth: false)
        #expect(answer.status == 200)
        #expect(Date().timeIntervalSince(asked) < 5, "a normal request waits for none of the 50 slow ones (bound loose for a loaded machine)")
        let closed = slow.filter { $0.isClosedByServer() }.count
        #expect(closed == slow.count, "every slow connection is closed after the idle timeout (\(closed) of \(slow.count))")
        #expect(Date().timeIntervalSince(began) < 10, "closed by the server, not left to the clients' own timeouts")
        await service.stop()
    }
}
