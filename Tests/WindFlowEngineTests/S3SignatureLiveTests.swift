import CurlHTTP
import Foundation
import Testing
import WindFlowCore

/// S3Signature against the real S3-compatible peer (moto with signature checks, started by scripts/test.sh): a wrong
/// secret is refused and classified. Skipped when WINDFLOW_TEST_S3_ENDPOINT is unset.
struct S3SignatureLiveTests {
    static let environment = ProcessInfo.processInfo.environment
    static let endpoint = environment["WINDFLOW_TEST_S3_ENDPOINT"]

    func signer(secret: String? = nil) -> S3Signature {
        S3Signature(accessKey: Self.environment["WINDFLOW_TEST_S3_ACCESS_KEY"] ?? "",
                    secretKey: secret ?? Self.environment["WINDFLOW_TEST_S3_SECRET_KEY"] ?? "", region: "us-east-1")
    }

    func signedRequest(_ method: String, key: String, body: Data? = nil, signer: S3Signature) -> CurlRequest {
        let url = URL(string: Self.endpoint!)!
        let host = "\(url.host!):\(url.port!)"
        let path = "/windflow-test/" + S3Signature.encode(key, keepSlash: true)
        var request = CurlRequest(method: method, url: "\(Self.endpoint!)\(path)", body: body)
        request.headers = signer.authorization(method: method, host: host, path: path, query: [], headers: [],
                                               time: Date().timeIntervalSince1970)
        return request
    }

    @Test(.enabled(if: endpoint != nil, "WINDFLOW_TEST_S3_ENDPOINT is unset: scripts/test.sh starts moto"))
    func aWrongSecretIsRefusedAndClassifiedWithoutTheSecret() async throws {
        let wrong = signer(secret: "not-the-secret-0123456789")
        let response = try await CurlClient.shared.perform(signedRequest("GET", key: "live/missing.txt", signer: wrong))
        let failure = S3Failure.classify(status: response.status, body: String(decoding: response.body, as: UTF8.self),
                                         operation: "get s3://windflow-test/live/missing.txt")
        #expect(failure.code == "SignatureDoesNotMatch")
        #expect(failure.kind == .credentials)
        #expect(!failure.retryable)
        #expect(!failure.message.contains("not-the-secret"))
    }
}
