import Foundation
import Logging
import Testing
@testable import WindFlowCore

/// Rules of the house that a reader should be able to rely on, checked over the sources.
@Suite struct HouseRulesTests {
    /// Each source line of `Sources/` matching one of `patterns`, as `path:line: text`.
    static func offences(matching patterns: [String], except allowed: Set<String> = []) throws -> [String] {
        let regexes = try patterns.map { try Regex($0) }
        let sources = repositoryRoot.appendingPathComponent("Sources")
        var found: [String] = []
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            let relative = file.path.replacingOccurrences(of: sources.path + "/", with: "")
            guard !allowed.contains(relative) else { continue }
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where regexes.contains(where: { line.contains($0) }) {
                found.append("\(relative):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        return found
    }

    /// A store, engine or deployment-driver failure is handled or logged, never dropped with `try?`.
    @Test func noStoreOrEngineErrorIsDroppedSilently() throws {
        let found = try Self.offences(matching: [#"try\?\s+(await\s+)?(self\.)?(store|engine|runner|driver|database)\."#])
        #expect(found.isEmpty, "log these failures (swift-log) or handle them:\n\(found.joined(separator: "\n"))")
    }

    @Test func logsNeverShowASecret() throws {
        let redaction = LogRedaction(secrets: ["API_TOKEN": "s3cr3t-token-value"])
        let captured = CapturedLines()
        var logger = Logger(label: "test") { _ in RedactingLogHandler(wrapping: CapturingHandler(lines: captured), redaction: redaction) }
        logger.logLevel = .debug
        logger.error("calling https://example.test/?token=s3cr3t-token-value failed",
                     metadata: ["url": "https://example.test/?token=s3cr3t-token-value", "nested": ["a": .string("s3cr3t-token-value")]])
        redaction.update(secrets: ["NEW": "fresh-secret-9"])
        logger.warning("fresh-secret-9 and s3cr3t-token-value")
        let lines = captured.lines
        #expect(lines.count == 2)
        #expect(lines[0].contains("token=[secret]") && !lines[0].contains("s3cr3t"), "\(lines[0])")
        #expect(lines[1].hasPrefix("[secret] and s3cr3t-token-value"), "a secret set later is redacted; a removed one no longer is")
    }
}

final class CapturedLines: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// Writes each event as `message metadata` into `lines`.
struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.message) \(fields)")
    }
}

extension HouseRulesTests {
    /// The time of day is read through an injected ``WallClock`` (one clock per process, set by hand in tests);
    /// durations use ``Stopwatch``, on the monotonic clock.
    @Test func theWallClockIsReadInOnePlace() throws {
        let found = try Self.offences(matching: [#"\bDate\(\)"#], except: ["WindFlowCore/Time/WallClock.swift"])
        #expect(found.isEmpty, "read the time from the injected clock (or measure with Stopwatch):\n\(found.joined(separator: "\n"))")
    }

    @Test func aManualClockMovesOnlyWhenTold() async throws {
        let clock = ManualClock(100)
        clock.advance(by: 5)
        #expect(clock.now() == 105)
        let jumping = ManualClock(100, jumpsToDeadlines: true)
        try await jumping.sleep(until: 3_600)
        #expect(jumping.now() == 3_600, "a wait of an hour takes no real time")
    }
}

extension HouseRulesTests {
    /// Callers see the store through its protocols (WindFlowStore/Protocols), so a second implementation needs no
    /// change outside the store module; the CLI's `openStore()` is the one place that picks SQLite.
    @Test func onlyTheStoreModuleAndTheCLIsOpenStoreNameTheSQLiteStore() throws {
        let found = try Self.offences(matching: [#"\bSQLiteStore\b"#]).filter { !$0.hasPrefix("WindFlowStore/") }
        let allowed = found.filter { $0.hasPrefix("windflow/StoreOptions.swift:") && $0.contains("try SQLiteStore(path:") }
        #expect(found == allowed, "hold the store as one of its protocols (any WindFlowStorage, any EngineStorage, …):\n\(found.joined(separator: "\n"))")
        #expect(allowed.count == 1)
    }

    /// The same for the PostgreSQL store: its module, and the one line of `openStore()` that picks it.
    @Test func onlyThePostgresModuleAndTheCLIsOpenStoreNameThePostgresStore() throws {
        let found = try Self.offences(matching: [#"\bPostgresStore\b"#]).filter { !$0.hasPrefix("WindFlowPostgres/") }
        let allowed = found.filter { $0.hasPrefix("windflow/StoreOptions.swift:") && $0.contains("try await PostgresStore.open(") }
        #expect(found == allowed, "hold the store as one of its protocols (any WindFlowStorage, any EngineStorage, …):\n\(found.joined(separator: "\n"))")
    }
}
