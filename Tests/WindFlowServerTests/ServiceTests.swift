import CurlHTTP
import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowServer

@Suite(.serialized)
struct ServiceTests {
    static let hooked = """
        name: hooked
        nodes:
          - {id: hook, type: trigger.webhook, configuration: {webhook_path: /deploy, token: "{{ secrets.HOOK }}"}}
          - {id: say, type: integration.script, configuration: {script: "echo deploying {{ trigger.stack_id }}"}}
        """

    @Test func healthIsOpenAndTheAPINeedsAKey() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        defer { Task { await service.stop() } }
        #expect(try await service.request("GET", "/healthz", auth: false).status == 200)
        let missing = try await service.request("GET", "/api/v1/workflows", auth: false)
        #expect(missing.status == 401)
        #expect(missing.headers.header("content-type") == "application/problem+json")
        #expect(missing.json["title"] == "Unauthorized")
        let wrong = try await service.request("GET", "/api/v1/workflows", headers: [("Authorization", "Bearer wf_nope")], auth: false)
        #expect(wrong.status == 401)
        #expect(wrong.json["detail"] == nil, "a failed key says nothing about why")
        #expect(try await service.request("GET", "/api/v1/workflows").status == 200)
        await service.stop()
    }

    @Test func keysAreCreatedListedAndRevokedOverTheAPI() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let made = try await service.request("POST", "/api/v1/apikeys", body: #"{"name": "ci"}"#)
        #expect(made.status == 201)
        let key = try #require(made.json["key"]?.stringValue)
        let id = try #require(made.json["id"]?.stringValue)
        let listed = try await service.request("GET", "/api/v1/apikeys")
        #expect(listed.json.arrayValue?.map { $0["name"] } == ["test", "ci"])
        #expect(!listed.json.jsonText.contains(key) && !listed.json.jsonText.contains("hash"), "keys are never shown again")
        #expect(try await service.request("GET", "/api/v1/workflows", headers: [("Authorization", "Bearer \(key)")], auth: false).status == 200)
        #expect(try await service.request("DELETE", "/api/v1/apikeys/\(id)").status == 204)
        #expect(try await service.request("GET", "/api/v1/workflows", headers: [("Authorization", "Bearer \(key)")], auth: false).status == 401)
        let own = try #require(try await service.request("GET", "/api/v1/apikeys").json.arrayValue?.first?["id"]?.stringValue)
        let last = try await service.request("DELETE", "/api/v1/apikeys/\(own)")
        #expect(last.status == 409, "the last key cannot be revoked: nobody could use the API again")
        await service.stop()
    }

    @Test func invalidWorkflowsAreRefusedWithTheValidatorsProblems() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let bad = try await service.request("POST", "/api/v1/workflows", body: "name: bad\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: x, type: integration.htpp}\n")
        #expect(bad.status == 422)
        #expect(bad.json["problems"]?.arrayValue?.first?["code"] == "unknown_node_type")
        #expect(bad.json["problems"]?.arrayValue?.first?["suggestion"] == "did you mean 'integration.http'?")
        let broken = try await service.request("POST", "/api/v1/workflows", body: "name: [unclosed")
        #expect(broken.status == 400)
        #expect(broken.json["problems"]?.arrayValue?.first?["code"] == "syntax_error")
        #expect(try await service.request("GET", "/api/v1/workflows").json == [])
        await service.stop()
    }

    @Test func aWorkflowIsCreatedRunAndInspected() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: hello\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: greet, type: integration.script, configuration: {script: \"echo hi {{ trigger.who }}\"}}\n")
        #expect(created.status == 201)
        let id = try #require(created.json["id"]?.stringValue)
        let fetched = try await service.request("GET", "/api/v1/workflows/\(id)")
        #expect(fetched.json["workflow"]?["workflow"]?["name"] == "hello")
        let started = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{\"who\": \"Ada\"}")
        #expect(started.status == 202)
        let execution = try await service.finished(try #require(started.json["execution_id"]?.stringValue))
        #expect(execution["status"] == "succeeded")
        #expect(execution["node_runs"]?.arrayValue?.first?["output"]?["stdout"] == "hi Ada\n")
        let stamp = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#
        for time in [execution["created_at"], execution["started_at"], execution["finished_at"], execution["node_runs"]?.arrayValue?.first?["finished_at"]] {
            #expect(time?.stringValue?.wholeMatch(of: stamp) != nil, "times are RFC 3339 text in UTC with milliseconds, not \(String(describing: time))")
        }
        let listed = try await service.request("GET", "/api/v1/executions?workflow=hello")
        #expect(listed.json.arrayValue?.count == 1)
        await service.stop()
    }

    /// A client that retries a run (a timeout, a lost answer) with the same `Idempotency-Key` starts it once;
    /// a webhook redelivered with its key likewise.
    @Test func aRepeatedIdempotencyKeyStartsOneRun() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows?activate=true", body: """
            name: charged-once
            nodes:
              - {id: start, type: trigger.manual}
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /pay, authentication: none}}
              - {id: note, type: logic.stop, configuration: {message: paid}}
            edges: [{source: start, target: note}, {source: hook, target: note}]
            """)
        let id = try #require(created.json["id"]?.stringValue)
        let key = [("Idempotency-Key", "charge-2026-12-07-0001")]
        let first = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"amount": 12}"#, headers: key)
        let retried = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"amount": 12}"#, headers: key)
        #expect(first.status == 202 && retried.status == 202)
        let execution = try #require(first.json["execution_id"]?.stringValue)
        #expect(retried.json["execution_id"]?.stringValue == execution)
        #expect(try await service.finished(execution)["idempotency_key"] == "charge-2026-12-07-0001")
        let reused = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: #"{"amount": 13}"#, headers: key)
        #expect(reused.status == 422, "the key of another request: \(reused.json.jsonText)")
        #expect(reused.json["title"] == "Idempotency-Key reused")
        for bad in ["two words", String(repeating: "x", count: 256), "cl\u{E9}", "windflow:schedule:start:2026-12-08T00:00:00Z"] {
            let refused = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}", headers: [("Idempotency-Key", bad)])
            #expect(refused.status == 400, "'\(bad.prefix(20))'")
            #expect(refused.json["detail"]?.stringValue?.lowercased().contains("idempotency") == true, "\(refused.json.jsonText)")
        }
        let delivery = [("Idempotency-Key", "evt_1"), ("Content-Type", "application/json")]
        let hooked = try await service.request("POST", "/webhooks/pay", body: "{}", headers: delivery, auth: false)
        let redelivered = try await service.request("POST", "/webhooks/pay", body: "{}", headers: delivery, auth: false)
        #expect(hooked.status == 202)
        #expect(redelivered.json["execution_id"] == hooked.json["execution_id"])
        #expect(try await service.request("GET", "/api/v1/executions?workflow=charged-once").json.arrayValue?.count == 2)
        await service.stop()
    }

    @Test func aFailedRunIsRetriedFromANodeAndItsExportIsYAML() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let flag = service.directory.appendingPathComponent("ready").path
        let created = try await service.request("POST", "/api/v1/workflows", body: """
            name: flaky
            nodes:
              - {id: start, type: trigger.manual}
              - {id: first, type: integration.script, configuration: {script: "date +%s%N"}}
              - {id: second, type: integration.script, configuration: {script: "test -f \(flag)"}}
            edges: [{source: start, target: first}, {source: first, target: second}]
            """)
        let id = try #require(created.json["id"]?.stringValue)
        let exported = try await service.request("GET", "/api/v1/workflows/\(id)?format=yaml")
        #expect(exported.headers.header("content-type") == "application/yaml; charset=utf-8")
        #expect(try WorkflowCodec.load(exported.json.stringValue ?? "").workflow.nodes.count == 3)
        let started = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        let failedID = try #require(started.json["execution_id"]?.stringValue)
        let failed = try await service.finished(failedID)
        #expect(failed["status"] == "failed")
        #expect(try await service.request("POST", "/api/v1/executions/\(failedID)/retry", body: "{}").status == 400)
        #expect(try await service.request("POST", "/api/v1/executions/\(failedID)/retry", body: #"{"from": "secnd"}"#).json["detail"]?.stringValue?.contains("did you mean 'second'") == true)
        FileManager.default.createFile(atPath: flag, contents: Data())
        let retried = try await service.request("POST", "/api/v1/executions/\(failedID)/retry", body: #"{"from": "second"}"#)
        #expect(retried.status == 202)
        let again = try await service.finished(try #require(retried.json["id"]?.stringValue))
        #expect(again["status"] == "succeeded")
        #expect(again["restarted_from"]?.stringValue == failedID)
        let runs = again["node_runs"]?.arrayValue ?? []
        let firstBefore = failed["node_runs"]?.arrayValue?.first { $0["node"] == "first" }?["output"]?["stdout"]
        #expect(runs.first { $0["node"] == "first" }?["status"] == "reused")
        #expect(runs.first { $0["node"] == "first" }?["output"]?["stdout"] == firstBefore, "the earlier output is reused, not recomputed")
        await service.stop()
    }

    @Test func pastTheQueueDepthWebhooksAnswer429AndStoreNothing() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        // No workers: what is accepted stays queued.
        try await service.start(configuration: ServerConfiguration(port: 0, workers: 0, maxBodyBytes: 64 * 1024, maxQueueDepth: 3))
        _ = try await service.request("POST", "/api/v1/workflows?activate=true", body: """
            name: queued
            nodes:
              - {id: hook, type: trigger.webhook, configuration: {webhook_path: /queued, authentication: none}}
              - {id: a, type: logic.stop}
            """)
        var statuses: [Int] = []
        for number in 0..<5 {
            let answer = try await service.request("POST", "/webhooks/queued", body: "{\"n\": \(number)}", auth: false)
            statuses.append(answer.status)
            if answer.status == 429 {
                #expect(answer.headers.header("retry-after") == "1")
                #expect(answer.json["title"] == "Queue full")
            }
        }
        #expect(statuses == [202, 202, 202, 429, 429], "the depth is counted again as it nears the limit")
        #expect(try service.store.queueDepth() == 3)
        #expect(try service.store.executions(limit: 10).count == 3, "a refused webhook stores nothing")
        await service.stop()
    }

    @Test func webhooksCheckTheirTokenAndStoreNoCredentials() async throws {
        let service = try ServiceHarness(secrets: ["HOOK": "tok123"])
        defer { service.remove() }
        try await service.start()
        #expect(try await service.request("POST", "/api/v1/workflows?activate=true", body: Self.hooked).status == 201)
        #expect(try await service.request("POST", "/webhooks/deploy", body: "{}", auth: false).status == 401)
        #expect(try await service.request("POST", "/webhooks/deploy", body: "{}", headers: [("X-WindFlow-Token", "wrong")], auth: false).status == 401)
        #expect(try await service.request("POST", "/webhooks/nowhere", body: "{}", auth: false).status == 404)
        let accepted = try await service.request("POST", "/webhooks/deploy?token=tok123", body: "{\"stack_id\": \"shop\"}",
                                                 headers: [("Content-Type", "application/json")], auth: false)
        #expect(accepted.status == 202)
        let execution = try await service.finished(try #require(accepted.json["execution_id"]?.stringValue))
        #expect(execution["status"] == "succeeded")
        #expect(execution["node_runs"]?.arrayValue?.first?["output"]?["stdout"] == "deploying shop\n")
        #expect(!execution.jsonText.contains("tok123"))
        let big = String(repeating: "x", count: 70 * 1024)
        #expect(try await service.request("POST", "/webhooks/deploy", body: big, headers: [("X-WindFlow-Token", "tok123")], auth: false).status == 413)
        await service.stop()
    }

    @Test func hmacSignedWebhooksAsGitHubSendsThem() async throws {
        let service = try ServiceHarness(secrets: ["GH": "It's a Secret to Everybody"])
        defer { service.remove() }
        try await service.start()
        let workflow = """
            name: on push
            nodes:
              - {id: push, type: trigger.webhook, configuration: {webhook_path: /github, authentication: hmac, hmac_secret: "{{ secrets.GH }}"}}
              - {id: note, type: integration.script, configuration: {script: "echo {{ trigger.body }}"}}
            """
        #expect(try await service.request("POST", "/api/v1/workflows?activate=true", body: workflow).status == 201)
        let signed = try await service.request("POST", "/webhooks/github", body: "Hello, World!", headers: [
            ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
        ], auth: false)
        #expect(signed.status == 202)
        let forged = try await service.request("POST", "/webhooks/github", body: "Hello, World?", headers: [
            ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
        ], auth: false)
        #expect(forged.status == 401)
        await service.stop()
    }

    @Test func aRestartFinishesWhatWasParked() async throws {
        let first = try ServiceHarness()
        defer { first.remove() }
        try await first.start()
        let created = try await first.request("POST", "/api/v1/workflows", body: "name: waits\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: pause, type: logic.wait, configuration: {duration: 1.5}}\n  - {id: after, type: integration.script, configuration: {script: \"echo resumed\"}}\n")
        let id = try #require(created.json["id"]?.stringValue)
        let started = try await first.request("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        let execution = try #require(started.json["execution_id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await first.request("GET", "/api/v1/executions/\(execution)").json["status"] == "waiting")
        await first.stop()
        // A new process on the same database.
        let second = try ServiceHarness(directory: first.directory)
        try await second.start()
        let done = try await second.finished(execution)
        #expect(done["status"] == "succeeded")
        #expect(done["node_runs"]?.arrayValue?.last?["output"]?["stdout"] == "resumed\n")
        await second.stop()
    }
}

@Suite(.serialized)
struct EventStreamTests {
    @Test func executionEventsStreamLiveAndResumeFromLastEventID() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: steps\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {script: \"sleep 0.3\"}}\n  - {id: b, type: integration.script, configuration: {script: \"echo b\"}}\n")
        let id = try #require(created.json["id"]?.stringValue)
        let started = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        let execution = try #require(started.json["execution_id"]?.stringValue)
        let (head, body) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events", headers: [("Authorization", "Bearer \(service.key)")], timeout: 120))
        #expect(head.status == 200)
        #expect(head.header("content-type") == "text/event-stream")
        var text = ""
        for try await chunk in body { text += String(decoding: chunk, as: UTF8.self) }
        let types = text.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        #expect(types == ["execution_started", "node_finished", "node_started", "node_finished", "node_started", "log", "node_finished",
                          "execution_finished"], "\(text)")
        #expect(text.contains("\"node\":\"b\"") && text.contains("\"message\":\"b\""), "the log line of b")
        #expect(text.contains("event: execution_finished\ndata: {\"at\":") && text.contains("\"status\":\"succeeded\"}"))
        #expect(text.contains(#/"at":"\d{4}-\d{2}-\d{2}T[\d:]{8}\.\d{3}Z"/#) && !text.contains(#/"at":\d/#), "event times are RFC 3339 text: \(text)")
        // Reconnecting after event 2 gets only what followed.
        let (_, rest) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/executions/\(execution)/events",
            headers: [("Authorization", "Bearer \(service.key)"), ("Last-Event-ID", "2")], timeout: 120))
        var tail = ""
        for try await chunk in rest { tail += String(decoding: chunk, as: UTF8.self) }
        let frames = tail.components(separatedBy: "\n\n").filter { !$0.hasPrefix(":") && !$0.isEmpty }
        #expect(frames.first?.hasPrefix("id: 3\nevent: log\n") == true, "b's start went out with event 2: \(tail)")
        #expect(!tail.contains("node_started"))
        await service.stop()
    }

    @Test func oneStreamCarriesEveryRunAndResumes() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: pair\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop, configuration: {message: done}}\n")
        let id = try #require(created.json["id"]?.stringValue)
        let (head, body) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/events/stream?workflow=pair", headers: [("Authorization", "Bearer \(service.key)")], timeout: 120))
        #expect(head.status == 200)
        var executions: [String] = []
        for _ in 0..<2 {
            executions.append(try #require(try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}").json["execution_id"]?.stringValue))
        }
        var text = ""
        for try await chunk in body {
            text += String(decoding: chunk, as: UTF8.self)
            if text.components(separatedBy: "event: execution_finished").count - 1 >= 2 { break }
        }
        for execution in executions {
            #expect(text.contains("\"execution_id\":\"\(execution)\""), "\(text)")
        }
        #expect(text.contains("event: started") && text.contains("\"workflow\":\"pair\""))
        // Resuming after the first frame sends the rest, not the first again.
        let firstID = try #require(text.split(separator: "\n").first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) })
        let (_, rest) = try await CurlClient.shared.stream(CurlRequest(
            url: service.base + "/api/v1/events/stream?workflow=pair", headers: [("Authorization", "Bearer \(service.key)"), ("Last-Event-ID", firstID)], timeout: 120))
        var again = ""
        for try await chunk in rest {
            again += String(decoding: chunk, as: UTF8.self)
            if again.contains("event: execution_finished") { break }
        }
        #expect(!again.contains("id: \(firstID)\n"))
        #expect(again.components(separatedBy: "\n\n").first { !$0.hasPrefix(":") }?.hasPrefix("id: ") == true)
        await service.stop()
    }
}

@Suite(.serialized)
struct VersionAndMetricsTests {
    @Test func updatesMakeVersionsThatDiffAndRollBack() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let v1 = "name: versioned\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop, configuration: {message: one}}\n"
        let v2 = v1.replacingOccurrences(of: "message: one", with: "message: two")
        let created = try await service.request("POST", "/api/v1/workflows", body: v1)
        let id = try #require(created.json["id"]?.stringValue)
        let updated = try await service.request("PUT", "/api/v1/workflows/\(id)", body: v2)
        #expect(updated.json["version"] == 2)
        let renamed = try await service.request("PUT", "/api/v1/workflows/\(id)", body: v2.replacingOccurrences(of: "versioned", with: "other"))
        #expect(renamed.status == 422)
        #expect(try await service.request("GET", "/api/v1/workflows/\(id)/versions").json.arrayValue?.count == 2)
        let diff = try await service.request("GET", "/api/v1/workflows/\(id)/diff/1/2")
        let lines = diff.json["diff"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let changed = lines.filter { !$0.hasPrefix("  ") }
        #expect(changed == ["-       message: one", "+       message: two"], "\(lines)")
        let rolled = try await service.request("POST", "/api/v1/workflows/\(id)/rollback/1")
        #expect(rolled.json["version"] == 3)
        let current = try await service.request("GET", "/api/v1/workflows/\(id)")
        #expect(current.json["workflow"]?["workflow"]?["nodes"]?.arrayValue?.last?["configuration"]?["message"] == "one")
        #expect(try await service.request("DELETE", "/api/v1/workflows/\(id)").status == 204)
        #expect(try await service.request("GET", "/api/v1/workflows/\(id)").status == 404)
        await service.stop()
    }

    @Test func metricsCountExecutionsAndNodeDurations() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: m\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {script: \"true\"}}\n")
        let id = try #require(created.json["id"]?.stringValue)
        let started = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        _ = try await service.finished(try #require(started.json["execution_id"]?.stringValue))
        let metrics = try await service.request("GET", "/metrics", auth: false)
        let text = metrics.json.stringValue ?? ""
        #expect(text.contains("windflow_executions{status=\"succeeded\"} 1"))
        #expect(text.contains("windflow_executions_by_trigger{trigger=\"trigger.manual\"} 1"))
        #expect(text.contains("windflow_node_duration_seconds_count 1"))
        #expect(text.contains("windflow_queue_depth 0"))
        // This process's own figures, labelled with its worker name (each node of a cluster answers its own).
        #expect(text.contains("windflow_worker_taken_total{worker=\"q-") && text.contains("windflow_worker_running{worker=\"q-"), "\(text)")
        let taken = text.split(separator: "\n").first { $0.hasPrefix("windflow_worker_taken_total{") }
        #expect(taken?.hasSuffix("} 1") == true, "\(taken ?? "")")
        await service.stop()
    }
}

@Suite(.serialized)
struct EventTriggerTests {
    @Test func postedAndInternalEventsStartListeningWorkflows() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let listener = """
            name: on deploy request
            nodes:
              - {id: asked, type: trigger.event, configuration: {event: deploy.requested, filter: "trigger.env == 'prod'"}}
              - {id: say, type: integration.script, configuration: {script: "echo deploy {{ trigger.stack }} to {{ trigger.env }}"}}
            """
        let alert = """
            name: alert on failure
            nodes:
              - {id: failed, type: trigger.event, configuration: {event: execution.failed}}
              - {id: tell, type: integration.script, configuration: {script: "echo {{ trigger.workflow }} failed at {{ trigger.failed_node }}"}}
            """
        let failing = "name: nightly\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: backup, type: integration.script, configuration: {script: \"exit 4\"}}\n"
        for body in [listener, alert] { #expect(try await service.request("POST", "/api/v1/workflows?activate=true", body: body).status == 201) }
        let ignored = try await service.request("POST", "/api/v1/events", body: "{\"event\": \"deploy.requested\", \"payload\": {\"env\": \"dev\"}}")
        #expect(ignored.json["executions"] == [])
        let posted = try await service.request("POST", "/api/v1/events", body: "{\"event\": \"deploy.requested\", \"payload\": {\"env\": \"prod\", \"stack\": \"shop\"}}")
        let started = try #require(posted.json["executions"]?.arrayValue?.first?.stringValue)
        #expect(try await service.finished(started)["node_runs"]?.arrayValue?.first?["output"]?["stdout"] == "deploy shop to prod\n")
        #expect(try await service.request("POST", "/api/v1/events", body: "{\"event\": \"execution.failed\"}").status == 400)
        // A failed run raises execution.failed, which starts the alert.
        let created = try await service.request("POST", "/api/v1/workflows", body: failing)
        let run = try await service.request("POST", "/api/v1/workflows/\(try #require(created.json["id"]?.stringValue))/run", body: "{}")
        #expect(try await service.finished(try #require(run.json["execution_id"]?.stringValue))["status"] == "failed")
        let deadline = Date().addingTimeInterval(60)
        var alerts: [JSONValue] = []
        while alerts.isEmpty, Date() < deadline {
            alerts = try await service.request("GET", "/api/v1/executions?workflow=alert%20on%20failure&status=succeeded").json.arrayValue ?? []
            try await Task.sleep(for: .milliseconds(50))
        }
        let alertID = try #require(alerts.first?["id"]?.stringValue)
        #expect(try await service.finished(alertID)["node_runs"]?.arrayValue?.first?["output"]?["stdout"] == "nightly failed at backup\n")
        await service.stop()
    }
}

@Suite(.serialized)
struct SecretTests {
    @Test func secretsAreWriteOnlyAndReachNodesRedacted() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        #expect(try await service.request("PUT", "/api/v1/secrets/API_TOKEN", body: "{\"value\": \"sup3r-s3cret\"}").status == 204)
        #expect(try await service.request("PUT", "/api/v1/secrets/bad-name", body: "{\"value\": \"x\"}").status == 400)
        let listed = try await service.request("GET", "/api/v1/secrets")
        #expect(listed.json.arrayValue?.map { $0["name"] } == ["API_TOKEN"])
        #expect(!listed.json.jsonText.contains("sup3r"))
        let created = try await service.request("POST", "/api/v1/workflows", body: "name: uses secret\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: a, type: integration.script, configuration: {env: {TOKEN: \"{{ secrets.API_TOKEN }}\"}, script: \"echo token=$TOKEN; test $TOKEN = sup3r-s3cret\"}}\n")
        let run = try await service.request("POST", "/api/v1/workflows/\(try #require(created.json["id"]?.stringValue))/run", body: "{}")
        let execution = try await service.finished(try #require(run.json["execution_id"]?.stringValue))
        #expect(execution["status"] == "succeeded")
        #expect(execution["node_runs"]?.arrayValue?.first?["output"]?["stdout"] == "token=[secret]\n")
        #expect(!execution.jsonText.contains("sup3r-s3cret"))
        #expect(try await service.request("DELETE", "/api/v1/secrets/API_TOKEN").status == 204)
        #expect(try await service.request("DELETE", "/api/v1/secrets/API_TOKEN").status == 404)
        await service.stop()
    }
}

@Suite(.serialized)
struct OpenAPITests {
    /// Every operation the document lists answers as documented on the real server.
    @Test func theDocumentIsTrue() async throws {
        let service = try ServiceHarness()
        defer { service.remove() }
        try await service.start()
        let document = try await service.request("GET", "/api/v1/openapi.json", auth: false)
        #expect(document.status == 200)
        #expect(document.json["openapi"] == "3.1.0")
        let paths = try #require(document.json["paths"]?.objectValue)
        #expect(paths.count == Set(OpenAPIDocument.operations.map(\.path)).count)
        // Fixtures the operations act on.
        let workflow = "name: doc\nnodes:\n  - {id: hook, type: trigger.webhook, configuration: {webhook_path: /doc, authentication: none}}\n  - {id: start, type: trigger.manual}\n  - {id: a, type: logic.stop}\n"
        let created = try await service.request("POST", "/api/v1/workflows?activate=true", body: workflow)
        let id = try #require(created.json["id"]?.stringValue)
        _ = try await service.request("PUT", "/api/v1/workflows/\(id)", body: workflow.replacingOccurrences(of: "logic.stop}", with: "logic.stop, configuration: {message: v2}}"))
        let run = try await service.request("POST", "/api/v1/workflows/\(id)/run", body: "{}")
        let execution = try #require(run.json["execution_id"]?.stringValue)
        _ = try await service.finished(execution)
        _ = try await service.request("PUT", "/api/v1/secrets/DOC", body: "{\"value\": \"doc-secret\"}")
        let values = ["id": id, "version": "1", "from": "1", "to": "2", "name": "DOC", "path": "doc"]
        let failing = try await service.request("POST", "/api/v1/workflows", body: "name: doc-fail\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: greet, type: integration.script, configuration: {script: \"ech hi\"}}\n")
        let failingRun = try await service.request("POST", "/api/v1/workflows/\(try #require(failing.json["id"]?.stringValue))/run", body: "{}")
        let failedExecution = try #require(failingRun.json["execution_id"]?.stringValue)
        _ = try await service.finished(failedExecution)
        let suggested = try await service.request("POST", "/api/v1/executions/\(failedExecution)/suggestions")
        let suggestionID = try #require(suggested.json["suggestions"]?.arrayValue?.first?["id"]?.stringValue, "\(suggested.json.jsonText)")
        var proposalIDs: [String] = []
        for _ in 0..<2 {
            let designed = try await service.request("POST", "/api/v1/designs", body: #"{"prose": "every night at 3am back up the shop stack"}"#)
            proposalIDs.append(try #require(designed.json["id"]?.stringValue))
        }
        let stackFile = "services:\n  web: {image: \"nginx:1.25\", ports: [\"80\"]}\n"
        #expect(try await service.request("PUT", "/api/v1/stacks/DOC", body: stackFile).status == 201)
        // Destructive operations last, on their own fixtures.
        let ordered = OpenAPIDocument.operations.sorted { ($0.method == "delete" ? 1 : 0) < ($1.method == "delete" ? 1 : 0) }
        for operation in ordered {
            var path = operation.path.hasPrefix("/api/v1/executions/{id}") ? operation.path.replacingOccurrences(of: "{id}", with: execution) : operation.path
            if operation.path.hasPrefix("/api/v1/proposals/{id}") {
                path = path.replacingOccurrences(of: "{id}", with: operation.path.hasSuffix("discard") ? proposalIDs[1] : proposalIDs[0])
            }
            if operation.path == "/api/v1/templates/{id}" { path = "/api/v1/templates/hello" }
            if operation.path == "/api/v1/executions/{id}/suggestions" { path = "/api/v1/executions/\(failedExecution)/suggestions" }
            if operation.path.hasPrefix("/api/v1/suggestions/{id}") { path = operation.path.replacingOccurrences(of: "{id}", with: suggestionID) }
            if operation.path == "/api/v1/apikeys/{id}" {
                let made = try await service.request("POST", "/api/v1/apikeys", body: #"{"name": "doomed"}"#)
                path = "/api/v1/apikeys/" + (made.json["id"]?.stringValue ?? "")
            }
            if operation.path == "/api/v1/recommendations" { path += "?q=nightly%20backup" }
            if operation.path == "/api/v1/executions/{id}/retry" {
                path = "/api/v1/executions/\(failedExecution)/retry"
            }
            for (key, value) in values { path = path.replacingOccurrences(of: "{\(key)}", with: value) }
            if operation.path.hasPrefix("/webhooks") { _ = try await service.request("POST", "/api/v1/workflows/\(id)/activate") }
            var body: String? = nil
            switch operation.body.map({ $0.isFile ? "file" : $0.mediaTypes[0] }) {
            case "file"? where operation.path.hasPrefix("/api/v1/stacks"): body = stackFile
            case "file"?: body = operation.method == "post" && operation.path == "/api/v1/workflows" ? workflow.replacingOccurrences(of: "name: doc", with: "name: doc2").replacingOccurrences(of: "/doc", with: "/doc2") : workflow
            case "application/json"?: body = operation.path.hasSuffix("/retry") ? #"{"from": "greet"}"# : operation.path.hasSuffix("secrets/{name}") ? "{\"value\": \"x1234\"}" : operation.path == "/api/v1/events" ? "{\"event\": \"doc.test\"}"
                : operation.path == "/api/v1/designs" ? #"{"prose": "call https://example.org/health every 5 minutes"}"# : "{}"
            default: break
            }
            if operation.path == "/api/v1/events/stream" {
                // Endless by design: check that it answers as an event stream, then hang up.
                let (head, _) = try await CurlClient.shared.stream(CurlRequest(url: service.base + path, headers: [("Authorization", "Bearer \(service.key)")], timeout: 5))
                #expect(head.status == 200 && head.header("content-type") == "text/event-stream")
                continue
            }
            if operation.path.hasSuffix("/cancel") {
                // Cancelling a finished execution is a documented conflict; check the route exists.
                let answer = try await service.request("POST", path, auth: !operation.open)
                #expect(answer.status == 409, "\(operation.method) \(operation.path): \(answer.status)")
                continue
            }
            let answer = try await service.request(operation.method.uppercased(), path, body: body, auth: !operation.open)
            if operation.path.hasPrefix("/webhooks"), operation.method != "post" {
                // The fixture's webhook takes POST only: the others are routed, and find no listener.
                #expect(answer.status == 404 && answer.json["title"] == "No webhook", "\(operation.method) \(operation.path): \(answer.status)")
                continue
            }
            #expect(answer.status == operation.success, "\(operation.method) \(operation.path) answered \(answer.status): \(answer.json.jsonText)")
        }
        await service.stop()
    }
}
