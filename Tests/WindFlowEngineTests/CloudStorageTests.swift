import Crypto
import Foundation
import TestSupport
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine
@testable import WindFlowStore

/// The S3-compatible server of the tests, when scripts/test.sh started one.
private let s3Endpoint = ProcessInfo.processInfo.environment["WINDFLOW_TEST_S3_ENDPOINT"]

/// `integration.cloud` against a real S3-compatible server (moto with signature checks, started by scripts/test.sh),
/// each object checked with an independent client (boto3) or plain curl. Skipped when WINDFLOW_TEST_S3_ENDPOINT is unset.
@Suite(.serialized, .enabled(if: s3Endpoint != nil, "WINDFLOW_TEST_S3_ENDPOINT is unset: scripts/test.sh starts moto"))
struct CloudStorageTests {
    static let environment = ProcessInfo.processInfo.environment
    static let endpoint = s3Endpoint
    static var secrets: [String: String] {
        ["S3_ACCESS_KEY": environment["WINDFLOW_TEST_S3_ACCESS_KEY"] ?? "", "S3_SECRET_KEY": environment["WINDFLOW_TEST_S3_SECRET_KEY"] ?? ""]
    }

    /// A node of `integration.cloud` on the test bucket, with `extra` parameters (YAML flow mapping entries).
    static func node(_ id: String, _ extra: String, endpoint: String? = endpoint, secret: String = "{{ secrets.S3_SECRET_KEY }}") -> String {
        "  - {id: \(id), type: integration.cloud, configuration: {endpoint: \"\(endpoint ?? "")\", path_style: true, bucket: windflow-test, "
            + "access_key: \"{{ secrets.S3_ACCESS_KEY }}\", secret_key: \"\(secret)\", \(extra)}}\n"
    }

    /// What boto3 sees: runs `code` with `s3` a client of the test server, `bucket` the test bucket; prints its answer.
    static func boto(_ code: String) async throws -> String {
        let script = """
            import boto3, hashlib, json, os, sys
            s3 = boto3.client("s3", endpoint_url=os.environ["WINDFLOW_TEST_S3_ENDPOINT"], region_name="us-east-1",
                              aws_access_key_id=os.environ["WINDFLOW_TEST_S3_ACCESS_KEY"], aws_secret_access_key=os.environ["WINDFLOW_TEST_S3_SECRET_KEY"])
            bucket = "windflow-test"
            \(code)
            """
        return try await Self.command(["python3", "-c", script])
    }

    /// Runs a command to its end off the concurrency pool (a Python with boto3 takes a second to start).
    static func command(_ arguments: [String]) async throws -> String {
        try await offPool { try commandBlocking(arguments) }
    }

    private static func commandBlocking(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EngineError("\(arguments[0]) failed: \(String(decoding: problems, as: UTF8.self).suffix(800))")
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func putGetHeadListCopyAndDeleteAreWhatAnotherClientSees() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        // moto (with signature checks) refuses any signed query value holding %2F, boto3's own too, so the listing is
        // tried with '_' as the folder separator; object keys in paths keep their '/'.
        let prefix = "ops-\(UUID().uuidString.prefix(8))_"
        let downloaded = box.path("report-copy.json")
        let (execution, runs) = try await box.run("""
            name: bucket round trip
            nodes:
              - {id: start, type: trigger.manual}
              - {id: report, type: integration.script, configuration: {script: "echo '{\\"cpu\\": 91, \\"host\\": \\"web-1\\"}' > $WINDFLOW_OUTPUT"}}
            \(Self.node("put_text", "operation: put, key: \"\(prefix)notes_hello world.txt\", content: \"héllo from WindFlow\""))\
            \(Self.node("put_output", "operation: put, key: \"\(prefix)report.json\", content: \"{{ report }}\""))\
            \(Self.node("head", "operation: head, key: \"\(prefix)report.json\""))\
            \(Self.node("get", "operation: get, key: \"\(prefix)report.json\""))\
            \(Self.node("get_file", "operation: get, key: \"\(prefix)report.json\", destination_file: \"\(downloaded)\""))\
            \(Self.node("copy", "operation: copy, key: \"\(prefix)archive_report.json\", source_key: \"\(prefix)report.json\""))\
            \(Self.node("list_all", "operation: list, prefix: \"\(prefix)\""))\
            \(Self.node("list_top", "operation: list, prefix: \"\(prefix)\", delimiter: _"))\
            \(Self.node("list_two", "operation: list, prefix: \"\(prefix)\", max_keys: 2"))\
            \(Self.node("delete", "operation: delete, key: \"\(prefix)report.json\""))
            edges:
              - {source: start, target: report}
              - {source: report, target: put_text}
              - {source: put_text, target: put_output}
              - {source: put_output, target: head}
              - {source: head, target: get}
              - {source: get, target: get_file}
              - {source: get_file, target: copy}
              - {source: copy, target: list_all}
              - {source: list_all, target: list_top}
              - {source: list_top, target: list_two}
              - {source: list_two, target: delete}
            """, engine: box.engine(secrets: Self.secrets))
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        func output(_ id: String) -> JSONValue { runs.last(id)?.output ?? .null }
        #expect(try await Self.boto("print(s3.get_object(Bucket=bucket, Key='\(prefix)notes_hello world.txt')['Body'].read().decode())")
                == "héllo from WindFlow")
        // The script's output is its fields with exit_code, stdout and stderr: it goes up as JSON, and copies keep it.
        let stored = try await Self.boto("""
            o = s3.get_object(Bucket=bucket, Key='\(prefix)archive_report.json'); b = json.loads(o['Body'].read()); print(o['ContentType'], b['cpu'], b['host'])
            """)
        #expect(stored == "application/json 91 web-1")
        let size = try #require(output("put_output")["size"]?.intValue)
        #expect(output("put_output")["etag"]?.stringValue?.count == 32)
        #expect(output("head")["size"]?.intValue == size && output("head")["content_type"] == "application/json")
        #expect(output("head")["etag"] == output("put_output")["etag"])
        #expect(output("get")["body"]?["cpu"] == 91, "a JSON object reads back as JSON")
        #expect(try Data(contentsOf: URL(fileURLWithPath: downloaded)).count == size)
        #expect(output("get_file")["path"]?.stringValue == downloaded)
        #expect(output("list_all")["keys"] == .array(["archive_report.json", "notes_hello world.txt", "report.json"].map { .string(prefix + $0) }))
        #expect(output("list_top")["keys"] == [.string(prefix + "report.json")])
        #expect(output("list_top")["prefixes"] == .array([.string(prefix + "archive_"), .string(prefix + "notes_")]))
        #expect(output("list_two")["count"] == 2 && output("list_two")["truncated"] == true, "max_keys bounds the listing")
        #expect(try await Self.boto("print(len(s3.list_objects_v2(Bucket=bucket, Prefix='\(prefix)').get('Contents', [])))") == "2",
                "the deleted object is gone, the others stay")
        let secret = try #require(Self.secrets["S3_SECRET_KEY"])
        for run in runs {
            let text = run.output?.jsonText ?? ""
            #expect(text.contains(secret) == false, "\(run.nodeID)")
        }
    }

    /// A file over the part size goes up in parts, one in memory at a time; boto3 reads back the same bytes.
    @Test func aLargeFileGoesUpInPartsAndComesBackWhole() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let file = box.path("archive.tar.gz")
        // Larger than the 16 MiB an answer held in memory may have: a download to a file streams past it.
        var bytes = [UInt8](repeating: 0, count: 17 * 1024 * 1024 + 123)
        var generator = SystemRandomNumberGenerator()
        for index in stride(from: 0, to: bytes.count, by: 8) { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let key = "multipart-\(UUID().uuidString.prefix(8)).tar.gz"
        let back = box.path("back.tar.gz")
        let (execution, runs) = try await box.run("""
            name: big upload
            nodes:
              - {id: start, type: trigger.manual}
            \(Self.node("upload", "operation: put, key: \(key), source_file: \"\(file)\", part_size: 6291456"))\
            \(Self.node("download", "operation: get, key: \(key), destination_file: \"\(back)\""))
            edges: [{source: start, target: upload}, {source: upload, target: download}]
            """, engine: box.engine(secrets: Self.secrets))
        #expect(execution.status == .succeeded, "\(execution.errorMessage ?? "")")
        #expect(runs.last("upload")?.output?["parts"] == 3)
        #expect(runs.last("upload")?.output?["etag"]?.stringValue?.hasSuffix("-3") == true, "S3's multipart ETag")
        #expect(try await Self.boto("o = s3.get_object(Bucket=bucket, Key='\(key)'); print(o['ContentType'], hashlib.sha256(o['Body'].read()).hexdigest())")
                == "application/gzip \(digest)")
        let returned = try Data(contentsOf: URL(fileURLWithPath: back))
        #expect(SHA256.hash(data: returned).map { String(format: "%02x", $0) }.joined() == digest)
        #expect(try await Self.boto("print(len(s3.list_multipart_uploads(Bucket=bucket).get('Uploads', [])))") == "0", "nothing left half-uploaded")
    }

    /// A presigned URL is what botocore (an independent implementation) makes for the same request and time: the
    /// same signature, byte for byte. (moto with signature checks cannot serve presigned URLs — it asks every request
    /// for an Authorization header — so the URL is compared rather than fetched.)
    @Test func presignedURLsAreTheOnesBotocoreMakes() async throws {
        for (method, key) in [("GET", "shared/q3 report.txt"), ("PUT", "uploads/ünïcode+plus.bin")] {
            let time = 1_765_000_000.0
            let context = ParameterDefaultTests.context("integration.cloud", [
                "operation": "presign", "bucket": "windflow-test", "key": .string(key), "method": .string(method), "expires": 900,
                "endpoint": .string(Self.endpoint ?? ""), "path_style": true,
                "access_key": .string(Self.secrets["S3_ACCESS_KEY"]!), "secret_key": .string(Self.secrets["S3_SECRET_KEY"]!),
            ], now: time)
            guard case .succeeded(let output, _) = await CloudStorageExecutor(client: .shared).execute(context),
                  let url = output["url"]?.stringValue else {
                Issue.record("presign failed")
                continue
            }
            #expect(!url.contains(Self.secrets["S3_SECRET_KEY"]!))
            #expect(output["expires_at"] == .string(Timestamp.rfc3339(time + 900)))
            let theirs = try await Self.command(["python3", "-c", """
                import datetime, os, sys
                from unittest import mock
                from botocore.auth import S3SigV4QueryAuth
                from botocore.awsrequest import AWSRequest
                from botocore.credentials import Credentials
                from urllib.parse import quote
                request = AWSRequest(method=sys.argv[1], url=os.environ["WINDFLOW_TEST_S3_ENDPOINT"] + "/windflow-test/" + quote(sys.argv[2], safe="/~"))
                credentials = Credentials(os.environ["WINDFLOW_TEST_S3_ACCESS_KEY"], os.environ["WINDFLOW_TEST_S3_SECRET_KEY"])
                at = datetime.datetime.fromtimestamp(float(sys.argv[3]), datetime.timezone.utc).replace(tzinfo=None)
                with mock.patch("botocore.auth.get_current_datetime", return_value=at):
                    S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=900).add_auth(request)
                print(request.url.split("X-Amz-Signature=")[1])
                """, method, key, String(time)])
            #expect(url.hasSuffix("X-Amz-Signature=" + theirs), "\(method) \(key): \(url)")
        }
    }

    /// A presigned PUT and GET are URLs plain curl can use, with no client of ours: the object curl puts through the
    /// one is what curl gets through the other. (On moto without signature checks — see moto_open.py; the signature is
    /// botocore's, checked above.)
    @Test func presignedURLsWorkWithPlainCurl() async throws {
        let open = try await LoopbackServer.start(script: "moto_open.py", arguments: [])
        let box = try Sandbox()
        defer { box.remove() }
        let source = box.directory.appendingPathComponent("report.txt").path, back = box.directory.appendingPathComponent("back.txt").path
        try Data("quarterly figures, shared for a day\n".utf8).write(to: URL(fileURLWithPath: source))
        func presign(_ method: String) async throws -> String {
            let context = ParameterDefaultTests.context("integration.cloud", [
                "operation": "presign", "bucket": "windflow-test", "key": "shared/q3 report ü.txt", "method": .string(method), "expires": 600,
                "endpoint": .string(open.base), "path_style": true, "access_key": "open", "secret_key": "open",
            ], now: Date().timeIntervalSince1970)
            guard case .succeeded(let output, _) = await CloudStorageExecutor(client: .shared).execute(context), let url = output["url"]?.stringValue else {
                throw EngineError("presign \(method) failed")
            }
            return url
        }
        let put = try await presign("PUT"), get = try await presign("GET")
        #expect(try await Self.command(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Content-Type: text/plain", "--data-binary", "@" + source, put]) == "200")
        #expect(try await Self.command(["curl", "-sS", "-o", back, "-w", "%{http_code}", get]) == "200")
        #expect(try String(contentsOfFile: back, encoding: .utf8) == String(contentsOfFile: source, encoding: .utf8))
    }

    /// Wrong credentials, an unknown bucket, a missing key and an unreachable endpoint: each a located, classified
    /// failure with the right retry decision, and no secret in it.
    @Test func failuresAreClassifiedAndHoldNoSecret() async throws {
        let wrong = "wrong-secret-0123456789abcdef"
        let base: [String: JSONValue] = [
            "endpoint": .string(Self.endpoint ?? ""), "path_style": true, "bucket": "windflow-test",
            "access_key": .string(Self.secrets["S3_ACCESS_KEY"]!), "secret_key": .string(Self.secrets["S3_SECRET_KEY"]!),
        ]
        let cases: [([String: JSONValue], FailureKind, Bool, String)] = [
            (["operation": "get", "key": "anything.txt", "secret_key": .string(wrong)], .configuration, false, "SignatureDoesNotMatch"),
            (["operation": "get", "key": "nothing-here.txt"], .http, false, "NoSuchKey"),
            (["operation": "list", "bucket": "no-such-bucket-wf"], .http, false, "NoSuchBucket"),
            (["operation": "head", "key": "a.txt", "endpoint": "http://127.0.0.1:9"], .connection, true, "connection_refused"),
        ]
        for (changes, kind, retryable, errorClass) in cases {
            let context = ParameterDefaultTests.context("integration.cloud", base.merging(changes) { $1 }, now: Date().timeIntervalSince1970)
            guard case .failed(let failure) = await CloudStorageExecutor(client: .shared).execute(context) else {
                Issue.record("\(errorClass): the operation did not fail")
                continue
            }
            #expect(failure.kind == kind, "\(errorClass): \(failure.message)")
            #expect(failure.retryable == retryable, "\(errorClass)")
            #expect(failure.details.errorClass?.rawValue == errorClass, "\(failure.message)")
            #expect(failure.message.contains("s3://"), "located: \(failure.message)")
            #expect(!failure.message.contains(wrong) && !failure.message.contains(Self.secrets["S3_SECRET_KEY"]!), "\(errorClass)")
        }
    }
}

/// Retention in a bucket: only archives last written before the limit go; the time S3 writes is read exactly.
struct OffsiteRetentionTests {
    @Test func onlyArchivesOlderThanTheRetentionExpire() throws {
        let now = try #require(Timestamp.parse("2026-12-07T12:00:00.000Z"))
        let objects: [JSONValue] = [
            ["key": "shop-staging-20261120-full.tar.gz", "last_modified": "2026-11-20T02:00:00.000Z"],
            ["key": "shop-staging-20261201-full.tar.gz", "last_modified": "2026-12-01T02:00:00.000Z"],
            ["key": "shop-staging-20261130-full.tar", "last_modified": "2026-11-30T11:59:59Z"],
            ["key": "notes.txt", "last_modified": "2026-01-01T00:00:00.000Z"],
            ["key": "no-date.tar.gz"],
        ]
        #expect(OffsiteBackup.expired(objects, olderThan: 7, now: now) == ["shop-staging-20261120-full.tar.gz", "shop-staging-20261130-full.tar"],
                "archives only, and only those before 2026-11-30T12:00")
        #expect(OffsiteBackup.location("s3://backups/nightly/db")?.bucket == "backups")
        #expect(OffsiteBackup.location("s3://backups/nightly/db")?.path == "nightly/db")
        #expect(OffsiteBackup.location("s3://backups")?.path == "")
        #expect(OffsiteBackup.location("/var/backups") == nil && OffsiteBackup.location("s3:///x") == nil)
    }

    @Test func rfc3339TimesReadBackToTheSecondsTheyWrite() {
        for seconds in [0.0, 1_765_000_000.5, 951_782_400.0, -86_400.0, 4_102_444_800.123] {
            #expect(Timestamp.parse(Timestamp.rfc3339(seconds)).map { ($0 * 1000).rounded() } == (seconds * 1000).rounded(), "\(seconds)")
        }
        #expect(Timestamp.parse("2026-12-07T02:11:34Z") == 1_796_609_494)
        #expect(Timestamp.parse("2026-12-07T02:11:34+00:00") == 1_796_609_494)
        for bad in ["", "2026-12-07", "2026-13-07T00:00:00Z", "2026-12-07T02:11:34+02:00", "Mon, 07 Dec 2026 02:11:34 GMT"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
