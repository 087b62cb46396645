import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
import WindFlowDesigner
@testable import WindFlowEngine
@testable import WindFlowServer
@testable import WindFlowStore

/// The real service on a free loopback port, over a scratch database, driven over HTTP with the libcurl client.
final class ServiceHarness: @unchecked Sendable {
    // Safe: set in init or by `start()` before any request, then read-only.
    let directory: URL
    let store: SQLiteStore
    let key: String
    var port = 0
    private var task: Task<Void, any Error>?
    let secrets: [String: String]

    init(secrets: [String: String] = [:], directory: URL? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("windflow-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: self.directory.appendingPathComponent("db.sqlite").path)
        key = try store.createAPIKey(name: "test", now: 0)
        self.secrets = secrets
    }

    /// Starts the service and waits until it listens (bounded to 20 s).
    func start(configuration: ServerConfiguration = ServerConfiguration(port: 0, workers: 2, maxBodyBytes: 64 * 1024), designer: DesignerSetup? = nil) async throws {
        let engine = WorkflowEngine(runner: ExecutionRunner(
            store: store, configuration: EngineConfiguration(secrets: secrets, parkAfter: 0.5, cancelPollInterval: 0.1)))
        let service = try WindFlowService(engine: engine, store: store, configuration: configuration, secrets: secrets, designer: designer)
        let bound = PortBox()
        task = Task { try await service.run { port in bound.set(port) } }
        let deadline = Date().addingTimeInterval(20)
        while bound.value == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        port = bound.value
        #expect(port != 0, "the service did not start")
    }

    func stop() async {
        task?.cancel()
        _ = await task?.result
        task = nil
    }

    deinit {
        task?.cancel()
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends a request; `auth` adds the API key.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [], auth: Bool = true) async throws -> (status: Int, json: JSONValue, headers: CurlResponse) {
        var all = headers
        if auth { all.append(("Authorization", "Bearer \(key)")) }
        let response = try await CurlClient.shared.perform(CurlRequest(method: method, url: base + path, headers: all, body: body.map { Data($0.utf8) }))
        let json = (try? JSONDecoder().decode(JSONValue.self, from: response.body)) ?? .string(String(decoding: response.body, as: UTF8.self))
        return (response.status, json, response)
    }

    /// Polls an execution until it is over, bounded to 120 s: a bound on a hang, not a timing (the first minute of a
    /// run, when a hundred suites start at once on two cores, has stalled in-process runs for tens of seconds).
    func finished(_ id: String) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let (_, json, _) = try await request("GET", "/api/v1/executions/\(id)")
            if let status = json["status"]?.stringValue, ["succeeded", "failed", "cancelled"].contains(status) { return json }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("execution \(id) did not finish")
        return .null
    }
}

final class PortBox: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var port = 0
    func set(_ value: Int) { lock.withLock { port = value } }
    var value: Int { lock.withLock { port } }
}
