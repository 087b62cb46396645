import ArgumentParser
import Foundation
import Logging
import WindFlowCore

/// The process's logs: lines on stderr (stdout carries the commands' results), at the level asked for, with every
/// known secret redacted.
enum ProcessLogging {
    /// Updated by the service when secrets change.
    static let redaction = LogRedaction()
    private static let once = NSLock()
    nonisolated(unsafe) private static var started = false

    /// Sets the logging system up once: `level` (a flag or a setting) wins over `$WINDFLOW_LOG_LEVEL`; info by default.
    static func bootstrap(level: String?) throws {
        let text = level ?? ProcessInfo.processInfo.environment["WINDFLOW_LOG_LEVEL"] ?? "info"
        guard let chosen = Logger.Level(rawValue: text.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("'\(text)' is not a log level; use one of \(levels)")
        }
        once.withLock {
            guard !started else { return }
            started = true
            LoggingSystem.bootstrap { label in
                var handler = RedactingLogHandler(wrapping: StreamLogHandler.standardError(label: label), redaction: redaction)
                handler.logLevel = chosen
                return handler
            }
        }
    }
}
