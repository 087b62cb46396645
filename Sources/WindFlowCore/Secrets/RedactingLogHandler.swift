import Foundation
import Logging

/// The secrets the logs must not show, shared by every logger of the process and updated when secrets change.
public final class LogRedaction: @unchecked Sendable {
    // Safe: `redactor` is only touched while holding `lock`.
    private let lock = NSLock()
    private var redactor: Redactor

    public init(secrets: [String: String] = [:]) {
        redactor = Redactor(secrets: secrets)
    }

    public func update(secrets: [String: String]) {
        let fresh = Redactor(secrets: secrets)
        lock.withLock { redactor = fresh }
    }

    public func redact(_ text: String) -> String { lock.withLock { redactor }.redact(text) }
}

/// A log handler that hands every message and metadata value to another one with the secrets redacted: an error
/// that quotes a URL with a token in it reaches the log as `[secret]`.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let redaction: LogRedaction

    public init(wrapping wrapped: any LogHandler, redaction: LogRedaction) {
        self.wrapped = wrapped
        self.redaction = redaction
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(redaction.redact(event.message.description))"
        event.metadata = event.metadata.map { $0.mapValues(redact) }
        if let error = event.error {
            // An error's description can quote what it failed on: it goes out redacted, as metadata.
            event.metadata = (event.metadata ?? [:]).merging(["error": .string(redaction.redact("\(error)"))]) { given, _ in given }
            event.error = nil
        }
        wrapped.log(event: event)
    }

    private func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(redaction.redact(text))
        case .stringConvertible(let item): .string(redaction.redact(item.description))
        case .array(let items): .array(items.map(redact))
        case .dictionary(let items): .dictionary(items.mapValues(redact))
        }
    }
}
