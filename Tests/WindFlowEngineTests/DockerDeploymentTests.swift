import CurlHTTP
import Foundation
import Testing
import TestSupport
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// The deployment actions against a real dockerd (scripts/test-peers/dockerd.sh) and the busybox image.
@Suite(.serialized)
struct DockerDeploymentTests {
    @Test func aTwoServiceStackIsDeployedScaledMeasuredAndChecked() async throws {
        let harness = try DeploymentHarness()
        let stack = harness.stack
        let (deployed, deployRuns) = try await harness.run("""
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging, health_timeout: 60}}
            """)
        #expect(deployed.status == .succeeded, "\(deployRuns.last("deploy")?.errorMessage ?? "")")
        let output = try #require(deployRuns.last("deploy")?.output)
        let endpoint = try #require(output["endpoint"]?.stringValue)
        #expect(endpoint.hasPrefix("http://127.0.0.1:"))
        #expect(output["endpoints"]?["web"]?.stringValue == endpoint)
        #expect(output["containers"]?.arrayValue?.count == 2)
        #expect(output["rolled_back"] == false)
        let (status, body) = try await harness.get(endpoint + "/health")
        #expect(status == 200 && body == "ok\n")
        // Resources are named and labelled by stack and environment, and the services share the stack's network.
        let web = try #require(try await harness.containers("staging", service: "web").first)
        #expect(web.name == "\(stack)-staging-web-1")
        #expect(web.labels["team"] == "web" && web.labels[DeploymentLabels.replica] == "1")
        #expect(try await harness.driver.volumeExists("\(stack)-staging-data"))

        // 1 → 3 (by a factor) → 1 (to a count).
        let (scaled, scaleRuns) = try await harness.run("""
              - {id: up, type: windflow.scale_service, configuration: {stack_id: \(stack), environment: staging, service_id: web, scale_factor: 3, max_replicas: 5}}
              - {id: down, type: windflow.scale_service, configuration: {stack_id: \(stack), environment: staging, service_id: web, replicas: 1}}
            edges: [{source: start, target: up}, {source: up, target: down}]
            """)
        #expect(scaled.status == .succeeded, "\(String(describing: scaleRuns.compactMap(\.errorMessage)))")
        #expect(scaleRuns.last("up")?.output?["previous_replicas"] == 1)
        #expect(scaleRuns.last("up")?.output?["replicas"] == 3)
        #expect(scaleRuns.last("down")?.output?["previous_replicas"] == 3)
        #expect(scaleRuns.last("down")?.output?["replicas"] == 1)
        #expect(try await harness.containers("staging", service: "web").map(\.name) == ["\(stack)-staging-web-1"])

        // Metrics: CPU and memory from the stats API, the request rate from the Prometheus text web serves.
        let (measured, metricRuns) = try await harness.run("""
              - {id: metrics, type: windflow.get_metrics, configuration: {stack_id: \(stack), environment: staging, metrics: [cpu_usage, memory_usage, request_rate], sample_seconds: 2}}
            """)
        #expect(measured.status == .succeeded, "\(metricRuns.last("metrics")?.errorMessage ?? "")")
        let metrics = try #require(metricRuns.last("metrics")?.output)
        #expect(metrics["services"]?["web"]?["replicas"] == 1)
        #expect((metrics["services"]?["web"]?["memory_bytes"]?.intValue ?? 0) > 0)
        #expect((metrics["services"]?["web"]?["cpu_usage"]?.doubleValue ?? -1) >= 0)
        let rate = metrics["services"]?["web"]?["request_rate"]?.doubleValue ?? 0
        #expect(rate > 10 && rate < 200, "web counts 50 fake requests a second; measured \(rate)")
        #expect(metrics["request_rate"]?.doubleValue == rate)
        #expect(metrics["services"]?["db"]?["request_rate"] == nil, "db publishes no port")

        // Health: containers and an HTTP probe, with a report file.
        let (checked, healthRuns) = try await harness.run("""
              - id: health
                type: windflow.health_check
                configuration: {scope: stack, stack_id: \(stack), environment: staging, detailed: true, http_probes: [{url: "\(endpoint)/health"}, {url: "\(endpoint)/nope", expected_status: 404}]}
            """)
        #expect(checked.status == .succeeded)
        let health = try #require(healthRuns.last("health")?.output)
        #expect(health["healthy"] == true, "\(health["summary"] ?? "")")
        #expect(health["services"]?["\(stack)/staging/web"]?["state"] == "healthy")
        let report = try #require(health["report_file"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: report))
        await harness.remove()
    }

    @Test func aVolumeIsBackedUpDestroyedAndRestored() async throws {
        let harness = try DeploymentHarness()
        let stack = harness.stack
        let deploy = "  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging}}\n"
        let (first, firstRuns) = try await harness.run(deploy)
        #expect(first.status == .succeeded, "\(firstRuns.last("deploy")?.errorMessage ?? "")")
        let endpoint = try #require(firstRuns.last("deploy")?.output?["endpoint"]?.stringValue)
        let (_, state) = try await harness.get(endpoint + "/data/state")
        #expect(!state.isEmpty)

        // An archive older than the retention is pruned by the next backup.
        let backups = harness.box.path("backups")
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let stale = "\(backups)/\(stack)-staging-20200101-000000-full.tar.gz"
        try Data("old".utf8).write(to: URL(fileURLWithPath: stale))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-30 * 86_400)], ofItemAtPath: stale)
        let (backedUp, backupRuns) = try await harness.run("""
              - {id: backup, type: windflow.backup_data, configuration: {stack_id: \(stack), environment: staging, volumes: [data], retention_days: 7}}
              - {id: again, type: windflow.backup_data, configuration: {stack_id: \(stack), environment: staging, volumes: [data], backup_type: incremental, compress: false}}
            edges: [{source: start, target: backup}, {source: backup, target: again}]
            """)
        #expect(backedUp.status == .succeeded, "\(String(describing: backupRuns.compactMap(\.errorMessage)))")
        let backup = try #require(backupRuns.last("backup")?.output)
        let file = try #require(backup["backup_file"]?.stringValue)
        #expect(file.hasSuffix("-full.tar.gz") && file.hasPrefix(backups))
        #expect((backup["size_bytes"]?.intValue ?? 0) > 0)
        #expect(backup["pruned"] == [.string(stale)])
        #expect(!FileManager.default.fileExists(atPath: stale))
        // Nothing changed since the full backup: the incremental one holds only directories.
        let incremental = try #require(backupRuns.last("again")?.output?["backup_file"]?.stringValue)
        let entries = TarArchive.entries(try Data(contentsOf: URL(fileURLWithPath: incremental)))
        #expect(!entries.isEmpty && entries.allSatisfy { $0.isDirectory }, "\(entries.map(\.name))")

        // Destroy the stack and its volume, restore, deploy again: the data is back.
        for container in try await harness.containers("staging") { try await harness.driver.remove(container.id) }
        try await harness.driver.removeVolume("\(stack)-staging-data")
        #expect(try await !harness.driver.volumeExists("\(stack)-staging-data"))
        let (restored, restoreRuns) = try await harness.run("""
              - {id: restore, type: windflow.backup_data, configuration: {stack_id: \(stack), environment: staging, volumes: [data], mode: restore, backup_file: "\(file)"}}
            """)
        #expect(restored.status == .succeeded, "\(restoreRuns.last("restore")?.errorMessage ?? "")")
        #expect(try await harness.driver.volumeExists("\(stack)-staging-data"))
        let (second, secondRuns) = try await harness.run(deploy.replacingOccurrences(of: "environment: staging}", with: "environment: staging, backup_before_deploy: true}"))
        #expect(second.status == .succeeded)
        let before = try #require(secondRuns.last("deploy")?.output?["backup_file"]?.stringValue, "backup_before_deploy backs the existing volumes up")
        #expect(FileManager.default.fileExists(atPath: before))
        let newEndpoint = try #require(secondRuns.last("deploy")?.output?["endpoint"]?.stringValue)
        #expect(try await harness.get(newEndpoint + "/data/state").1 == state, "the restored volume holds the state written before")
        await harness.remove()
    }

    /// Off the machine: a backup to s3:// (moto, checked with boto3), the volume destroyed, the restore read back
    /// from the bucket. Skipped without the S3-compatible server of scripts/test.sh.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WINDFLOW_TEST_S3_ENDPOINT"] != nil, "WINDFLOW_TEST_S3_ENDPOINT is unset"))
    func aVolumeIsBackedUpToABucketAndRestoredFromIt() async throws {
        let environment = ProcessInfo.processInfo.environment
        let harness = try DeploymentHarness()
        let stack = harness.stack
        let deploy = "  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging}}\n"
        let (first, firstRuns) = try await harness.run(deploy)
        #expect(first.status == .succeeded, "\(firstRuns.last("deploy")?.errorMessage ?? "")")
        let endpoint = try #require(firstRuns.last("deploy")?.output?["endpoint"]?.stringValue)
        let (_, state) = try await harness.get(endpoint + "/data/state")
        let s3 = "endpoint: \"\(environment["WINDFLOW_TEST_S3_ENDPOINT"] ?? "")\", path_style: true, access_key: \"\(environment["WINDFLOW_TEST_S3_ACCESS_KEY"] ?? "")\", "
            + "secret_key: \"\(environment["WINDFLOW_TEST_S3_SECRET_KEY"] ?? "")\""
        let (backedUp, backupRuns) = try await harness.run("""
              - {id: backup, type: windflow.backup_data, configuration: {stack_id: \(stack), environment: staging, volumes: [data], destination: "s3://windflow-test", retention_days: 7, \(s3)}}
            """)
        #expect(backedUp.status == .succeeded, "\(backupRuns.last("backup")?.errorMessage ?? "")")
        let output = try #require(backupRuns.last("backup")?.output)
        let uri = try #require(output["backup_file"]?.stringValue)
        #expect(uri.hasPrefix("s3://windflow-test/\(stack)-staging-") && uri.hasSuffix("-full.tar.gz"), "\(uri)")
        #expect(output["pruned"] == [], "nothing in the bucket is older than the retention")
        let key = String(uri.dropFirst("s3://windflow-test/".count))
        let seen = try await CloudStorageTests.boto("print(s3.head_object(Bucket=bucket, Key='\(key)')['ContentLength'])")
        #expect(Int(seen) == output["size_bytes"]?.intValue, "boto3 sees the archive WindFlow sent")
        let staged = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter { $0.hasPrefix("windflow-backup-") }
        #expect(staged.isEmpty, "the staging copy is gone: \(staged)")

        for container in try await harness.containers("staging") { try await harness.driver.remove(container.id) }
        try await harness.driver.removeVolume("\(stack)-staging-data")
        let (restored, restoreRuns) = try await harness.run("""
              - {id: restore, type: windflow.backup_data, configuration: {stack_id: \(stack), environment: staging, volumes: [data], mode: restore, backup_file: "\(uri)", \(s3)}}
            """)
        #expect(restored.status == .succeeded, "\(restoreRuns.last("restore")?.errorMessage ?? "")")
        let (second, secondRuns) = try await harness.run(deploy)
        #expect(second.status == .succeeded)
        let newEndpoint = try #require(secondRuns.last("deploy")?.output?["endpoint"]?.stringValue)
        #expect(try await harness.get(newEndpoint + "/data/state").1 == state, "the volume restored from the bucket holds the state written before")
        await harness.remove()
    }

    @Test func aFailingHealthCheckRollsBackToThePreviousContainers() async throws {
        let harness = try DeploymentHarness()
        let stack = harness.stack
        let (first, _) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging}}\n")
        #expect(first.status == .succeeded)
        let before = try await harness.containers("staging").map(\.id).sorted()
        let (broken, runs) = try await harness.run("""
              - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(stack), environment: staging, health_timeout: 20, variables: {HEALTH_PATH: missing}}}
            """)
        #expect(broken.status == .failed)
        let message = try #require(runs.last("deploy")?.errorMessage)
        #expect(message.contains("web-1 failed its health check"), "\(message)")
        #expect(message.contains("rolled back"))
        #expect(runs.last("deploy")?.output?["rolled_back"] == true)
        #expect(runs.last("deploy")?.output?["reason"] == "unhealthy")
        // The containers that ran before run again, under their names; the failed ones are gone.
        let after = try await harness.containers("staging")
        #expect(after.map(\.id).sorted() == before)
        #expect(after.allSatisfy { $0.isRunning })
        #expect(Set(after.map(\.name)) == ["\(stack)-staging-web-1", "\(stack)-staging-db-1"])
        let web = try await harness.driver.inspect("\(stack)-staging-web-1")
        let port = try #require(web.publishedPorts["80/tcp"])
        #expect(try await harness.get("http://127.0.0.1:\(port)/health").0 == 200)
        await harness.remove()
    }

    @Test func daemonErrorsSayWhatToDo() async throws {
        let nowhere = DockerEngineDriver(host: "unix:///tmp/windflow-no-docker.sock")
        await #expect { try await nowhere.ping() } throws: { error in
            "\(error)".contains("the Docker daemon is not running") && "\(error)".contains("DOCKER_HOST")
        }

        let busy = try await LoopbackServer.start()
        let harness = try DeploymentHarness(stackFile: """
            services:
              app: {image: "windflow/missing:1.0", command: ["sleep", "60"]}
            """)
        let (missing, missingRuns) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(harness.stack), environment: test}}\n")
        #expect(missing.status == .failed)
        #expect(missingRuns.last("deploy")?.errorMessage?.contains("the image windflow/missing:1.0 of service app is not on the Docker host") == true)

        try """
            services:
              app: {image: "windflow/busybox:test", command: ["sleep", "60"], ports: ["\(busy.port):80"]}
            """.write(toFile: harness.settings.stacksDirectory + "/\(harness.stack).yaml", atomically: true, encoding: .utf8)
        let (clash, clashRuns) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(harness.stack), environment: test}}\n")
        #expect(clash.status == .failed)
        let message = clashRuns.last("deploy")?.errorMessage ?? ""
        #expect(message.contains("a host port is already in use"), "\(message)")
        #expect(try await harness.containers("test").isEmpty, "nothing is left behind")

        let (unknown, unknownRuns) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: nope, environment: test}}\n")
        #expect(unknown.status == .failed)
        #expect(unknownRuns.last("deploy")?.errorMessage?.contains("there is no stack 'nope'") == true)
        await harness.remove()
    }

    @Test func validateStackChecksImagesPortsAndStrictness() async throws {
        let busy = try await LoopbackServer.start()
        let harness = try DeploymentHarness(stackFile: """
            services:
              app: {image: "windflow/missing:1.0", command: ["sleep", "60"], ports: ["\(busy.port):80"]}
              side: {image: "windflow/busybox:test"}
            """)
        let (strict, strictRuns) = try await harness.run("""
              - {id: check, type: windflow.validate_stack, configuration: {stack_id: \(harness.stack), validation_level: strict}}
            """)
        #expect(strict.status == .failed)
        let details = try #require(strictRuns.last("check")?.output)
        let codes = Set(details["problems"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? [])
        #expect(codes.isSuperset(of: ["missing_image", "no_healthcheck", "port_in_use"]), "\(codes)")
        #expect(details["errors"] == 1, "the port in use is the only error; the rest fail because the level is strict")
        #expect(details["valid"] == false)

        try """
            services:
              app: {image: "windflow/missing:1.0", command: ["sleep", "60"]}
            """.write(toFile: harness.settings.stacksDirectory + "/\(harness.stack).yaml", atomically: true, encoding: .utf8)
        let (basic, basicRuns) = try await harness.run("""
              - {id: check, type: windflow.validate_stack, configuration: {stack_id: \(harness.stack), validation_level: basic}}
            """)
        #expect(basic.status == .succeeded, "basic passes with warnings")
        #expect(basicRuns.last("check")?.output?["valid"] == true)
        #expect((basicRuns.last("check")?.output?["warnings"]?.intValue ?? 0) >= 2)
        await harness.remove()
    }

    @Test func certificatesCloseToExpiryAreRenewed() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let certificate = box.path("site.pem"), key = box.path("site.key")
        let made = try await ProcessRunner.run("openssl", arguments: [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "5", "-subj", "/CN=localhost", "-keyout", key, "-out", certificate,
        ], limit: 65_536)
        #expect(made.exitCode == 0)
        let server = try await LoopbackServer.start(script: "http_server.py", arguments: [certificate, key])
        let settings = DeploymentSettings(dataDirectory: box.directory.path)
        let engine = WorkflowEngine(runner: ExecutionRunner(store: box.store, executors: .standard(deployment: settings)))
        let (record, runs) = try await box.run("""
            name: certificates
            nodes:
              - {id: start, type: trigger.manual}
              - id: files
                type: windflow.renew_certificates
                configuration:
                  certificates: [site.pem]
                  notification_days: 30
                  renew_command: 'openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj "/CN=$CERT_NAME" -keyout "$CERT_PATH.key" -out "$CERT_PATH" 2>/dev/null'
              - {id: endpoint, type: windflow.renew_certificates, configuration: {certificates: ["https://127.0.0.1:\(server.port)/"], auto_renew: false}}
            edges: [{source: start, target: files}, {source: files, target: endpoint}]
            """, engine: engine)
        #expect(record.status == .succeeded, "\(runs.compactMap(\.errorMessage))")
        let files = try #require(runs.last("files")?.output)
        #expect(files["expiring"]?.arrayValue?.count == 1)
        #expect(files["renewed"]?.arrayValue?.first?["days_left_before"]?.intValue.map { (3...5).contains($0) } == true, "\(files)")
        #expect(files["renewed"]?.arrayValue?.first?["days_left"]?.intValue.map { (88...90).contains($0) } == true)
        #expect(files["min_days_left"]?.intValue.map { $0 >= 88 } == true)
        // The endpoint still serves the old certificate: read through libcurl's certificate info, reported, not renewed.
        let endpoint = try #require(runs.last("endpoint")?.output)
        #expect(endpoint["checked"]?.arrayValue?.first?["days_left"]?.intValue.map { (3...5).contains($0) } == true, "\(endpoint)")
        #expect(endpoint["expiring"]?.arrayValue?.count == 1 && endpoint["renewed"] == [])
    }

    @Test func seedTemplate1RunsEndToEndOnDocker() async throws {
        let harness = try DeploymentHarness()
        let hooks = try await LoopbackServer.start()
        let mailbox = harness.box.path("mail")
        try FileManager.default.createDirectory(atPath: mailbox, withIntermediateDirectories: true)
        let smtp = try await LoopbackServer.start(script: "smtp_sink.py", arguments: [mailbox])
        // Only the test script and where Slack (and the mail) go are stand-ins; every action is real.
        var workflow = try WorkflowCodec.load(try SeedTemplateRunTests.fixture("seed-template-1-deploy-with-tests.yaml")).workflow
        let tests = try #require(workflow.nodes.firstIndex { $0.id == "run_tests" })
        workflow.nodes[tests].configuration["script"] = "echo \"Running tests...\"\necho 12 passed"
        let engine = harness.engine(environment: [
            "WINDFLOW_SLACK_WEBHOOK_URL": hooks.base + "/hook/slack", "WINDFLOW_SMTP_HOST": "127.0.0.1",
            "WINDFLOW_SMTP_PORT": String(smtp.port), "WINDFLOW_SMTP_SECURITY": "none", "WINDFLOW_SMTP_TO": "ops@example.org",
        ])
        let record = try await engine.enqueue(workflow, input: ["stack_id": .string(harness.stack)])
        let result = try await engine.runToEnd(record.id)
        let runs = try harness.box.store.nodeRuns(of: record.id)
        #expect(result == .finished(.succeeded, nil), "\(runs.compactMap { $0.errorMessage })")
        #expect(runs.map(\.nodeKey) == ["validate_config", "run_tests", "deploy_staging", "smoke_tests", "deploy_production", "notify_success"])
        #expect(runs.last("validate_config")?.output?["valid"] == true)
        let staging = try #require(runs.last("deploy_staging")?.output?["endpoint"]?.stringValue)
        #expect(runs.last("smoke_tests")?.output?["status"] == 200)
        #expect(runs.last("smoke_tests")?.input?["url"]?.stringValue == staging + "/health")
        // Production is its own set of containers and volumes, backed up before it was deployed.
        let production = try #require(runs.last("deploy_production")?.output?["endpoint"]?.stringValue)
        #expect(production != staging)
        #expect(try await harness.get(production + "/health").0 == 200)
        #expect(try await harness.containers("production").count == 2)
        #expect(try await harness.containers("staging").count == 2)
        let slack = try await harness.get(hooks.base + "/hook/slack").1
        #expect(slack.contains("D\\u00e9ploiement r\\u00e9ussi: \(harness.stack)") || slack.contains("Déploiement réussi: \(harness.stack)"), "\(slack)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mailbox).contains { $0.hasSuffix(".eml") })
        await harness.remove()
    }

    @Test func aStackKeptInTheStoreIsFoundBeforeTheDirectory() async throws {
        let harness = try DeploymentHarness(stackFile: "services:\n  app: {image: \"windflow/missing:1.0\"}\n")
        let name = harness.stack
        // The directory's file names a missing image; the stored one of the same name is the one deployed.
        try harness.box.store.saveStack(name, definition: DeploymentHarness.stackFile, now: 0)
        var settings = harness.settings
        settings.storedStacks = { [store = harness.box.store] id in try? store.stack(id)?.definition }
        let engine = WorkflowEngine(runner: ExecutionRunner(store: harness.box.store, executors: .standard(deployment: settings)))
        let (deployed, runs) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: \(name), environment: staging}}\n", engine: engine)
        #expect(deployed.status == .succeeded, "\(runs.last("deploy")?.errorMessage ?? "")")
        #expect(try await harness.containers("staging").count == 2)
        let (missing, missingRuns) = try await harness.run("  - {id: deploy, type: windflow.deploy_stack, configuration: {stack_id: nowhere}}\n", engine: engine)
        #expect(missing.status == .failed)
        #expect(missingRuns.last("deploy")?.errorMessage?.contains("nor in the store") == true)
        await harness.remove()
    }
}

