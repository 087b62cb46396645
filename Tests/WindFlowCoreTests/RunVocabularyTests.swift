import Foundation
import Testing
@testable import WindFlowCore

@Suite struct RunVocabularyTests {
    @Test func terminalAndUnfinishedStatusesPartitionTheVocabulary() {
        #expect(Set(ExecutionStatus.terminal) == [.succeeded, .failed, .cancelled])
        #expect(Set(ExecutionStatus.unfinished) == [.queued, .running, .waiting])
        #expect(NodeRunStatus.reused.isSettled && NodeRunStatus.skipped.isSettled && !NodeRunStatus.waiting.isSettled)
    }

    @Test func anUnknownStoredStatusSaysWhichNamesExist() throws {
        #expect(try ExecutionStatus(reading: "waiting") == .waiting)
        do {
            _ = try ExecutionStatus(reading: "timed_out")
            Issue.record("'timed_out' is not a status")
        } catch {
            #expect(error.description.contains("'timed_out' is not a execution status"))
            #expect(error.known == ExecutionStatus.allCases.map(\.rawValue))
        }
        // A failure kind written by a newer version still reads, as `internal`.
        #expect(FailureKind(stored: "quota") == .internal)
        #expect(FailureKind(stored: "loop_iteration") == .loopIteration)
    }

    @Test func failureDetailsRoundTripThroughTheirStoredForm() throws {
        let details = FailureDetails(httpStatus: 503, exitCode: 127, signal: 9, errorClass: .commandNotFound,
                                     subject: "npmx", alternatives: ["npm", "npx"])
        let stored = details.jsonValue
        #expect(stored["http_status"] == 503)
        #expect(stored["error_class"] == "command_not_found")
        #expect(FailureDetails(jsonValue: try JSONValue.parse(stored.jsonText)) == details)
        #expect(FailureDetails(jsonValue: ["http_status": "five hundred", "subject": 3]).isEmpty)
        #expect(FailureDetails(httpStatus: 429).isTransientHTTP && FailureDetails(httpStatus: 502).isTransientHTTP)
        #expect(!FailureDetails(httpStatus: 404).isTransientHTTP && !FailureDetails().isTransientHTTP)
    }

    /// Statuses and failure kinds are compared as typed values everywhere; their names are spelled only where they
    /// are encoded (the vocabulary itself, the event codec, the store's SQL codec). A quoted status compared in any
    /// other file is how `'timed_out'` once crept into a query no code ever matched.
    @Test func noSourceFileComparesARunStatusAsText() throws {
        let names = "queued|running|waiting|succeeded|failed|cancelled|skipped|iterating|reused|timed_out"
        let patterns = [
            #"(status|Status|errorKind|kind)\s*(==|!=)\s*"(\#(names))""#,
            #"status\s+(IN\s*\(|=|<>|!=)\s*'(\#(names))'"#,
            #"\[\s*"(\#(names))"\s*,\s*"(\#(names))"\s*(,\s*"(\#(names))"\s*)*\]\s*\.contains"#,
        ].map { try! Regex($0) }
        let codecs: Set = ["RunStatus.swift", "Failure.swift", "ExecutionEvent+JSON.swift", "RunVocabulary+SQL.swift"]
        let sources = repositoryRoot.appendingPathComponent("Sources")
        var offences: [String] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" && !codecs.contains(file.lastPathComponent) {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where patterns.contains(where: { line.contains($0) }) {
                offences.append("\(file.path.replacingOccurrences(of: sources.path + "/", with: "")):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(offences.isEmpty, "compare typed statuses (ExecutionStatus, NodeRunStatus, FailureKind), not text:\n\(offences.joined(separator: "\n"))")
    }
}
