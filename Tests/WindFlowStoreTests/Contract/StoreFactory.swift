import Foundation
import TestSupport
import Testing
import WindFlowCore
import WindFlowPostgres
import WindFlowStore

/// A store implementation the contract tests run against. Each test opens a new, empty store; a PostgreSQL store
/// joins `all` with a factory of its own, and every contract test then runs on it unchanged.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    /// Whether several processes share the store (PostgreSQL), or one owns it (an SQLite file).
    var shared = false
    let open: @Sendable () async throws -> OpenStore

    var testDescription: String { name }

    static let all: [StoreFactory] = [sqlite, postgres]

    static let sqlite = StoreFactory(name: "SQLite") {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store: any WindFlowStorage = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        return OpenStore(store: store) { try? FileManager.default.removeItem(at: directory) }
    }
}

extension StoreFactory {
    /// A new schema per test on one throwaway PostgreSQL server, started the first time a test asks for it and
    /// stopped when the test process ends.
    static let postgres = StoreFactory(name: "PostgreSQL", shared: true) {
        let server = try await SharedPostgres.shared.url()
        let schema = "contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let store = try await PostgresStore.open(url: server + "?sslmode=disable&pool_size=4&schema=\(schema)")
        return OpenStore(store: store) { store.close() }
    }
}

/// The one PostgreSQL server of a test process (stopped by its script once the process has ended).
actor SharedPostgres {
    static let shared = SharedPostgres()
    /// One start, however many tests ask at once (the actor lets others in while it waits).
    private var server: Task<PostgresServer, any Error>?

    func url() async throws -> String {
        let starting = server ?? Task { try await PostgresServer.start(stopsWithThisProcess: true) }
        server = starting
        return try await starting.value.url
    }
}

/// A store under test and what removes it.
struct OpenStore: Sendable {
    let store: any WindFlowStorage
    let remove: @Sendable () -> Void
}

/// Workflows the contract tests store.
enum ContractFixtures {
    static func workflow(_ name: String, note: String = "done", trigger: String = "trigger.manual") throws -> Workflow {
        try WorkflowCodec.load("""
            name: \(name)
            nodes:
              - {id: start, type: \(trigger)}
              - {id: note, type: logic.stop, configuration: {message: "\(note)"}}
            edges: [{source: start, target: note}]
            """).workflow
    }

    static func queued(_ store: any WindFlowStorage, _ workflow: WorkflowRecord, input: JSONValue = [:], now: Double = 1,
                       key: String? = nil) async throws -> ExecutionRecord {
        try await store.enqueueExecution(workflow: workflow, triggerNode: "start", input: input, now: now, restartedFrom: nil,
                                         restartNode: nil, id: nil, seed: [], idempotencyKey: key)
    }

    static func event(_ type: String, _ fields: [String: JSONValue] = [:]) -> String {
        JSONValue.object(fields.merging(["type": .string(type)]) { $1 }).jsonText
    }
}

/// The contract tests see a store only through its protocols, so that they hold for any implementation.
@Suite struct ContractIsImplementationFree {
    @Test func onlyTheFactoryNamesAnImplementation() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
        #expect(files.count >= 7)
        for file in files where file.lastPathComponent != "StoreFactory.swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains("SQLiteStore") && !text.contains("import GRDB") && !text.contains("@testable"), "\(file.lastPathComponent)")
        }
    }
}
