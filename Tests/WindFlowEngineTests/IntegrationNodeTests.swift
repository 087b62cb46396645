import CurlHTTP
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// Integration nodes against real peers on loopback.
@Suite(.serialized)
struct IntegrationNodeTests {
    let server: LoopbackServer

    init() async throws {
        server = try await LoopbackServer.start()
    }

    @Test func httpParsesJSONAndFeedsLaterNodes() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: http
            nodes:
              - {id: start, type: trigger.manual}
              - {id: get, type: integration.http, configuration: {url: "\(server.base)/json", query: {page: "{{ trigger.page }}"}}}
              - id: post
                type: integration.http
                configuration:
                  method: POST
                  url: "\(server.base)/echo"
                  headers: {X-Name: "{{ get.body.name }}"}
                  body: {count: "{{ get.body.items | length }}", status: "{{ get.status }}"}
            """, input: ["page": 2])
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("get")?.output?["body"]?["items"] == [1, 2])
        let echo = try #require(runs.last("post")?.output?["body"])
        #expect(echo["method"] == "POST")
        #expect(echo["headers"]?["x-name"] == "windflow")
        #expect(echo["body"] == "{\"count\":2,\"status\":200}")
        #expect(echo["headers"]?["content-type"] == "application/json")
    }

    @Test func unexpectedStatusesFailWithTheRightClass() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (denied, _) = try await box.run("""
            name: denied
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 3, retry: {initial_delay: 0.01}, configuration: {url: "\(server.base)/auth"}}
            """)
        #expect(denied.status == .failed)
        #expect(denied.errorKind == .http)
        #expect(denied.errorMessage?.contains("answered 401 (expected 200-299): bad credentials; check the credentials") == true)
        #expect(try box.store.nodeRuns(of: denied.id).count == 1, "a 401 must not be retried")
        let (allowed, _) = try await box.run("""
            name: allowed
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/auth", auth: {type: bearer, token: "{{ secrets.TOKEN }}"}}}
            """, engine: box.engine(secrets: ["TOKEN": "good"]))
        #expect(allowed.status == .succeeded)
        let (expected, _) = try await box.run("""
            name: expected 404
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, configuration: {url: "\(server.base)/status/404", expected_status: [404, 410]}}
            """)
        #expect(expected.status == .succeeded)
    }

    @Test func serverErrorsAreRetriedWithBackoffUntilTheyPass() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let key = UUID().uuidString
        let (execution, runs) = try await box.run("""
            name: flaky
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 4, retry: {initial_delay: 0.05, jitter: 0}, configuration: {url: "\(server.base)/flaky?key=\(key)&fail=2"}}
            """)
        #expect(execution.status == .succeeded)
        #expect(runs.map(\.status) == [.failed, .failed, .succeeded])
        #expect(runs.last?.output?["body"]?["attempts"] == 3)
    }

    @Test func httpTimeoutsAndRefusedConnectionsAreRetryable() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: slow
            nodes:
              - {id: start, type: trigger.manual}
              - {id: call, type: integration.http, retry_count: 1, retry: {initial_delay: 0.01}, configuration: {url: "\(server.base)/slow?seconds=3", timeout: 0.3}}
            """)
        #expect(execution.status == .failed)
        #expect(execution.errorKind == .timeout)
        #expect(runs.count == 2)
    }
}

@Suite(.serialized)
struct NotificationAndMonitoringTests {
    let server: LoopbackServer

    init() async throws {
        server = try await LoopbackServer.start()
    }

    @Test func notificationsReachEveryChannelAndReportEach() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let mail = box.directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        let smtp = try await LoopbackServer.start(script: "smtp_sink.py", arguments: [mail.path])
        let attachment = box.path("report.txt")
        try Data("backup ok: 12 tables\n".utf8).write(to: URL(fileURLWithPath: attachment))
        let (execution, runs) = try await box.run("""
            name: notify
            nodes:
              - {id: start, type: trigger.manual}
              - id: tell
                type: integration.notification
                configuration:
                  channels: [slack, discord, teams, webhook, log, email]
                  title: "Déploiement réussi"
                  message: "{{ trigger.stack }} is live"
                  slack_webhook_url: "\(server.base)/hook/slack"
                  discord_webhook_url: "\(server.base)/hook/discord"
                  teams_webhook_url: "\(server.base)/hook/teams"
                  webhook_url: "\(server.base)/hook/generic"
                  attachments: ["\(attachment)"]
                  email: {to: [ops@example.org], cc: [lead@example.org], from: windflow@example.org, smtp_host: 127.0.0.1, smtp_port: \(smtp.port), security: none}
            """, input: ["stack": "shop"])
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("tell")?.output?["sent"] == 6)
        let hooks = try await CurlHTTPProbe.json(server.base + "/hooks")
        let bodies = Dictionary(uniqueKeysWithValues: (hooks.arrayValue ?? []).map { ($0["path"]!.stringValue!, $0["body"]!.stringValue!) })
        #expect(bodies["/hook/slack"] == "{\"text\":\"Déploiement réussi\\nshop is live\"}")
        #expect(bodies["/hook/discord"]?.contains("\"content\"") == true)
        #expect(bodies["/hook/teams"]?.contains("MessageCard") == true)
        #expect(bodies["/hook/generic"]?.contains("\"execution_id\":\"\(execution.id)\"") == true)
        // The SMTP sink received one message for both recipients, with the attachment.
        let envelope = try String(contentsOf: mail.appendingPathComponent("1.json"), encoding: .utf8)
        #expect(envelope.contains("ops@example.org") && envelope.contains("lead@example.org"))
        let message = try String(contentsOf: mail.appendingPathComponent("1.eml"), encoding: .utf8)
        #expect(message.contains("Subject: =?utf-8?B?"))
        #expect(message.contains("Content-Disposition: attachment; filename=\"report.txt\""))
        #expect(message.contains(Data("backup ok: 12 tables\n".utf8).base64EncodedString()))
        #expect(try box.store.logs(of: execution.id).contains { $0.message == "Déploiement réussi\nshop is live" })
    }

    @Test func aFailedChannelFailsTheNodeAndSaysWhich() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: notify
            nodes:
              - {id: start, type: trigger.manual}
              - {id: tell, type: integration.notification, configuration: {channels: [log, slack, webhook], message: hi, webhook_url: "\(server.base)/status/500"}}
            """)
        #expect(execution.status == .failed)
        #expect(execution.errorMessage?.contains("2 of 3 channels failed — slack: slack needs slack_webhook_url") == true)
        #expect(runs.last("tell")?.output?["sent"] == 1)
    }

    @Test func monitoringReadsPrometheusTextAndTheQueryAPI() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (execution, runs) = try await box.run("""
            name: metrics
            nodes:
              - {id: start, type: trigger.manual}
              - {id: requests, type: integration.monitoring, configuration: {url: "\(server.base)/metrics", metric: http_requests_total}}
              - {id: gets, type: integration.monitoring, configuration: {url: "\(server.base)/metrics", metric: http_requests_total, labels: {method: get}}}
              - {id: query, type: integration.monitoring, configuration: {source: prometheus_query, url: "\(server.base)", query: "up", aggregate: avg}}
              - {id: busy, type: logic.condition, configuration: {condition: "{{ requests.value > 1000 and query.value == 1 }}"}}
              - {id: yes, type: logic.stop, configuration: {message: busy}}
              - {id: no, type: logic.stop, configuration: {status: failed, message: calm}}
            edges:
              - {source: start, target: requests}
              - {source: requests, target: gets}
              - {source: gets, target: query}
              - {source: query, target: busy}
              - {source: busy, target: yes, branch: "true"}
              - {source: busy, target: no, branch: "false"}
            """)
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("requests")?.output?["value"]?.doubleValue == 1030)
        #expect(runs.last("gets")?.output?["value"]?.doubleValue == 1027)
        #expect(runs.last("query")?.output?["values"]?.arrayValue?.count == 2)
    }
}

/// Reads JSON from the loopback server.
enum CurlHTTPProbe {
    static func json(_ url: String) async throws -> JSONValue {
        let response = try await CurlClient.shared.perform(CurlRequest(url: url))
        return try JSONDecoder().decode(JSONValue.self, from: response.body)
    }
}

@Suite(.serialized)
struct GitNodeTests {
    @Test func cloneCommitTagPushAndReadBack() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let origin = box.path("origin.git"), seed = box.path("seed"), work = box.path("work"), check = box.path("check")
        for arguments in [["init", "--bare", "-b", "main", origin], ["clone", origin, seed]] {
            _ = try await ProcessRunner.run("git", arguments: arguments, limit: 10_000)
        }
        try Data("v1\n".utf8).write(to: URL(fileURLWithPath: seed + "/VERSION"))
        for arguments in [["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "first"], ["push", "origin", "HEAD:main"]] {
            _ = try await ProcessRunner.run("git", arguments: ["-C", seed] + arguments, limit: 10_000)
        }
        let (execution, runs) = try await box.run("""
            name: release
            nodes:
              - {id: start, type: trigger.manual}
              - {id: clone, type: integration.git, configuration: {operation: clone, repository: "\(origin)", directory: "\(work)", branch: main}}
              - {id: bump, type: integration.script, configuration: {working_directory: "\(work)", script: "echo {{ trigger.version }} > VERSION"}}
              - {id: changes, type: integration.git, configuration: {operation: status, directory: "\(work)"}}
              - {id: commit, type: integration.git, configuration: {operation: commit, directory: "\(work)", message: "Release {{ trigger.version }}"}}
              - {id: tag, type: integration.git, configuration: {operation: tag, directory: "\(work)", tag: "v{{ trigger.version }}", message: release}}
              - {id: push, type: integration.git, configuration: {operation: push, directory: "\(work)", branch: main, tag: "v{{ trigger.version }}"}}
              - {id: again, type: integration.git, configuration: {operation: commit, directory: "\(work)", message: "nothing new"}}
            """, input: ["version": "2"])
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("changes")?.output?["changed_files"] == ["VERSION"])
        #expect(runs.last("push")?.output?["branch"] == "main")
        let pushed = try #require(runs.last("push")?.output?["commit"]?.stringValue)
        #expect(pushed.count == 40)
        _ = try await ProcessRunner.run("git", arguments: ["clone", "--branch", "v2", origin, check], limit: 10_000)
        #expect(try String(contentsOfFile: check + "/VERSION", encoding: .utf8) == "2\n")
    }

    @Test func credentialsNeverAppearInWhatIsStored() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(secrets: ["GIT_TOKEN": "s3cret-git-pass"])
        let (execution, runs) = try await box.run("""
            name: private
            nodes:
              - {id: start, type: trigger.manual}
              - {id: clone, type: integration.git, configuration: {operation: clone, repository: "https://git.invalid/shop.git", directory: "\(box.path("w"))", username: ci, password: "{{ secrets.GIT_TOKEN }}"}}
            """, engine: engine)
        #expect(execution.status == .failed)
        let stored = try box.store.events(of: execution.id).joined() + runs.map { "\($0.input?.jsonText ?? "")\($0.output?.jsonText ?? "")\($0.errorMessage ?? "")" }.joined()
            + (try box.store.logs(of: execution.id)).map(\.message).joined()
        #expect(!stored.contains("s3cret-git-pass"))
        #expect(execution.errorMessage?.contains("git clone failed") == true)
    }
}

@Suite(.serialized)
struct DatabaseNodeTests {
    @Test func sqliteWithBoundParametersAndTransactions() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let file = box.path("shop.sqlite")
        let (execution, runs) = try await box.run("""
            name: sqlite
            nodes:
              - {id: start, type: trigger.manual}
              - id: setup
                type: integration.database
                configuration:
                  driver: sqlite
                  connection: "\(file)"
                  transaction: true
                  query: |
                    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total REAL, paid INTEGER);
                    INSERT INTO orders (customer, total, paid) VALUES ('ada', 12.5, 1), ('bob', 3, 0), ('eve', 40, 1);
              - id: insert
                type: integration.database
                configuration: {driver: sqlite, connection: "\(file)", query: "INSERT INTO orders (customer, total, paid) VALUES (?, ?, 1)", parameters: ["{{ trigger.name }}", 7]}
              - id: report
                type: integration.database
                configuration: {driver: sqlite, connection: "\(file)", query: "SELECT customer, total FROM orders WHERE paid = ? ORDER BY total DESC", parameters: [1], max_rows: 2}
            """, input: ["name": "x'); DROP TABLE orders; --"])
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("setup")?.output?["affected_rows"] == 3)
        #expect(runs.last("insert")?.output?["affected_rows"] == 1)
        let report = try #require(runs.last("report")?.output)
        #expect(report["columns"] == ["customer", "total"])
        #expect(report["row_count"] == 2)
        #expect(report["truncated"] == true)
        #expect(report["rows"]?.arrayValue?.first?["customer"] == "eve")
        // The injected text was stored as a value, not run.
        let stored = DatabaseExecutor.sqlite(path: file, query: "SELECT customer FROM orders WHERE id = 4", parameters: [], maxRows: 1, transaction: false)
        #expect((try? stored.get().rows.first?["customer"]) == "x'); DROP TABLE orders; --")
    }

    @Test func postgresqlWithBoundParametersTypesAndErrors() async throws {
        let postgres = try await PostgresServer.start()
        let box = try Sandbox()
        defer { box.remove() }
        let engine = box.engine(secrets: ["DB": postgres.url])
        let (execution, runs) = try await box.run("""
            name: postgres
            nodes:
              - {id: start, type: trigger.manual}
              - id: setup
                type: integration.database
                configuration: {driver: postgresql, connection: "{{ secrets.DB }}", query: "CREATE TABLE deploys (id serial PRIMARY KEY, service text, ok boolean, seconds numeric, meta jsonb)"}
              - id: insert
                type: integration.database
                configuration:
                  driver: postgresql
                  connection: "{{ secrets.DB }}"
                  transaction: true
                  query: "INSERT INTO deploys (service, ok, seconds, meta) VALUES ($1, $2, $3, $4)"
                  parameters: ["{{ trigger.service }}", true, 12.5, {region: eu}]
              - id: read
                type: integration.database
                configuration: {driver: postgresql, connection: "{{ secrets.DB }}", query: "SELECT id, service, ok, seconds, meta FROM deploys WHERE service = $1", parameters: ["{{ trigger.service }}"]}
            """, input: ["service": "web'; DROP TABLE deploys; --"], engine: engine)
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("insert")?.output?["affected_rows"] == 1)
        let row = try #require(runs.last("read")?.output?["rows"]?.arrayValue?.first)
        #expect(row["id"] == 1)
        #expect(row["service"] == "web'; DROP TABLE deploys; --")
        #expect(row["ok"] == true)
        #expect(row["seconds"]?.doubleValue == 12.5)
        #expect(row["meta"]?["region"] == "eu")
        let (broken, _) = try await box.run("""
            name: broken sql
            nodes:
              - {id: start, type: trigger.manual}
              - {id: q, type: integration.database, retry_count: 2, configuration: {driver: postgresql, connection: "{{ secrets.DB }}", query: "SELEC 1"}}
            """, engine: engine)
        #expect(broken.status == .failed)
        #expect(broken.errorKind == .validation)
        #expect(broken.errorMessage?.contains("syntax error") == true)
        #expect(broken.errorMessage?.contains("[42601]") == true)
        let (down, _) = try await box.run("""
            name: down
            nodes:
              - {id: start, type: trigger.manual}
              - {id: q, type: integration.database, configuration: {driver: postgresql, connection: "postgresql://nobody@127.0.0.1:9/x?connect_timeout=2", query: "SELECT 1"}}
            """)
        #expect(down.errorKind == .connection)
    }
}

@Suite(.serialized)
struct SecureMailTests {
    @Test func emailUpgradesToTLSWithSTARTTLS() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let mail = box.directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        let key = box.path("key.pem"), cert = box.path("cert.pem")
        _ = try await ProcessRunner.run("openssl", arguments: ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                                               "-days", "1", "-subj", "/CN=127.0.0.1"], limit: 100_000)
        let smtp = try await LoopbackServer.start(script: "smtp_sink.py", arguments: [mail.path, cert, key])
        func yaml(verify: Bool) -> String {
            """
            name: tls mail
            nodes:
              - {id: start, type: trigger.manual}
              - id: tell
                type: integration.notification
                configuration:
                  channels: [email]
                  message: secure
                  email: {to: [ops@example.org], smtp_host: 127.0.0.1, smtp_port: \(smtp.port), security: starttls, verify_tls: \(verify)}
            """
        }
        // The self-signed certificate is refused unless verification is turned off for it.
        let (refused, _) = try await box.run(yaml(verify: true))
        #expect(refused.status == .failed)
        #expect(refused.errorMessage?.contains("check the certificate") == true, "\(refused.errorMessage ?? "")")
        let (sent, _) = try await box.run(yaml(verify: false))
        #expect(sent.status == .succeeded, "\(sent.errorMessage ?? "")")
        #expect(try String(contentsOf: mail.appendingPathComponent("1.json"), encoding: .utf8).contains("\"tls\": true"))
    }
}
