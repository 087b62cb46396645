import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore

/// The live stream of one run says what the state machine decided — started, finished with status and branch,
/// skipped, retry scheduled, the run's end — and nothing a node read or produced.
@Suite(.serialized)
struct LiveEventStreamTests {
    static let secret = "s3cr3t-Value-42"

    static let workflow = """
        name: decisions
        nodes:
          - {id: start, type: trigger.manual}
          - {id: check, type: logic.condition, configuration: {condition: "{{ trigger.go }}"}}
          - id: flaky
            type: integration.script
            configuration:
              script: 'echo "token {{ secrets.API_TOKEN }}" >&2; echo "{\\"token\\": \\"{{ secrets.API_TOKEN }}\\"}" > "$WINDFLOW_OUTPUT"; test "$WINDFLOW_ATTEMPT" -gt 1 || exit 3'
              retryable_exit_codes: [3]
            retry_count: 2
            retry: {initial_delay: 0.2, factor: 1, jitter: 0}
          - {id: no, type: integration.script, configuration: {script: "echo no"}}
          - {id: after_no, type: integration.script, configuration: {script: "echo after"}}
        edges:
          - {source: start, target: check}
          - {source: check, target: flaky, branch: "true"}
          - {source: check, target: no, branch: "false"}
          - {source: no, target: after_no}
        """

    /// One server-sent event as received.
    struct Message {
        var id: String?
        var event: String
        var data: JSONValue
    }

    static func messages(_ text: String) throws -> [Message] {
        try text.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }.map { block in
            var message = Message(id: nil, event: "", data: .null)
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { message.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { message.event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { message.data = try JSONValue.parse(String(line.dropFirst(6))) }
            }
            return message
        }
    }

    static func seconds(_ text: String) -> Double? {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format.date(from: text)?.timeIntervalSince1970
    }

    @Test func theStreamCarriesTheBranchTakenTheSkipsTheRetryAndTheEndInOrder() async throws {
        let service = try ServiceHarness(secrets: ["API_TOKEN": Self.secret])
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: Self.workflow)
        let id = try #require(created.json["id"]?.stringValue, "\(created.json)")
        let started = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"go": true}"#)
        let execution = try #require(started.json["execution_id"]?.stringValue)
        let (head, body) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events", headers: [("Authorization", "Bearer \(service.key)")], timeout: 120))
        #expect(head.status == 200)
        var text = ""
        for try await chunk in body { text += String(decoding: chunk, as: UTF8.self) }
        let messages = try Self.messages(text)

        let sequence = messages.map { message -> String in
            let node = message.data["node"]?.stringValue.map { " \($0)" } ?? ""
            let detail = [message.data["status"]?.stringValue, message.data["branch"]?.stringValue,
                          message.data["attempt"]?.intValue.map { "#\($0)" }].compactMap { $0 }.joined(separator: " ")
            return "\(message.event)\(node)\(detail.isEmpty ? "" : " \(detail)")"
        }
        #expect(sequence == [
            "execution_started",
            "node_finished start succeeded",
            "node_started check #1",
            "node_finished check succeeded true #1",
            "node_skipped no",
            "node_skipped after_no",
            "node_started flaky #1",
            "log flaky",
            "retry_scheduled flaky #2",
            "node_started flaky #2",
            "log flaky",
            "node_finished flaky succeeded #2",
            "execution_finished succeeded",
        ], "\(text)")

        let retry = try #require(messages.first { $0.event == "retry_scheduled" })
        #expect(retry.data["error"]?["kind"] == "exit")
        #expect(retry.data["error"]?["message"]?.stringValue?.hasPrefix("the script exited with status 3") == true)
        let at = try #require(retry.data["at"]?.stringValue.flatMap(Self.seconds))
        let retryAt = try #require(retry.data["retry_at"]?.stringValue.flatMap(Self.seconds))
        #expect(abs(retryAt - at - 0.2) < 0.002, "the retry runs 0.2 s after the failure: \(retry.data)")
        #expect(messages.first { $0.event == "execution_started" }?.data == ["trigger": "start", "at": messages[0].data["at"] ?? .null])
        #expect(messages.last?.data["status"] == "succeeded" && messages.last?.data["at"]?.stringValue != nil)
        // Every message but the end comes with the stored event it follows from, in order.
        let ids = messages.compactMap { $0.id.flatMap(Int.init) }
        #expect(ids.count == messages.count && ids == ids.sorted())

        // Nothing a node read or wrote, and never a secret: ids, statuses, branches, times, redacted messages.
        #expect(!text.contains(Self.secret), "\(text)")
        #expect(messages.first { $0.event == "log" }?.data["message"] == "stderr: token [secret]", "the secret was there to hide")
        #expect(retry.data["error"]?["message"] == "the script exited with status 3: token [secret]")
        #expect(!text.contains("\"output\"") && !text.contains("\"input\"") && !text.contains("stdout"), "\(text)")
        await service.stop()
    }

    @Test func aClientResumingAfterTheRetrySeesOnlyWhatFollowed() async throws {
        let service = try ServiceHarness(secrets: ["API_TOKEN": Self.secret])
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: Self.workflow)
        let id = try #require(created.json["id"]?.stringValue)
        let execution = try #require(try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"go": true}"#).json["execution_id"]?.stringValue)
        _ = try await service.finished(execution)
        let (_, whole) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events", headers: [("Authorization", "Bearer \(service.key)")], timeout: 120))
        var text = ""
        for try await chunk in whole { text += String(decoding: chunk, as: UTF8.self) }
        let retryID = try #require(try Self.messages(text).first { $0.event == "retry_scheduled" }?.id)
        let (_, rest) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events",
            headers: [("Authorization", "Bearer \(service.key)"), ("Last-Event-ID", retryID)], timeout: 120))
        var tail = ""
        for try await chunk in rest { tail += String(decoding: chunk, as: UTF8.self) }
        #expect(try Self.messages(tail).map(\.event) == ["node_started", "log", "node_finished", "execution_finished"], "\(tail)")
        await service.stop()
    }

    @Test func theOtherBranchSkipsTheRetryingSide() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: Self.workflow)
        let id = try #require(created.json["id"]?.stringValue)
        let execution = try #require(try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"go": false}"#).json["execution_id"]?.stringValue)
        let (_, body) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events", headers: [("Authorization", "Bearer \(service.key)")], timeout: 120))
        var text = ""
        for try await chunk in body { text += String(decoding: chunk, as: UTF8.self) }
        let messages = try Self.messages(text)
        #expect(messages.first { $0.data["node"] == "check" && $0.event == "node_finished" }?.data["branch"] == "false")
        #expect(messages.filter { $0.event == "node_skipped" }.map { $0.data["node"] } == ["flaky"])
        #expect(messages.filter { $0.event == "node_finished" }.map { $0.data["node"] } == ["start", "check", "no", "after_no"])
        #expect(messages.last?.event == "execution_finished")
        await service.stop()
    }
}
