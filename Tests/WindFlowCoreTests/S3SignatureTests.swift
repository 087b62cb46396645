import Testing
@testable import WindFlowCore

/// The expected values come from an independent client: botocore's S3SigV4QueryAuth / S3SigV4Auth with the clock
/// fixed at 2013-05-24T00:00:00Z (the first is also the example in AWS's own S3 documentation).
struct S3SignatureTests {
    let signer = S3Signature(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    let may24: Double = 1_369_353_600

    @Test func presignedGetMatchesBotocore() {
        let url = signer.presignedURL(method: "GET", scheme: "https", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                      expires: 86400, time: may24)
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func presignedPutOfAnEncodedKeyOnAPortMatchesBotocore() {
        var signer = signer
        signer.region = "eu-west-1"
        let url = signer.presignedURL(method: "PUT", scheme: "http", host: "127.0.0.1:9000", path: "/my-bucket/dir/a%20b.txt",
                                      expires: 600, time: may24)
        #expect(url.hasSuffix("&X-Amz-Signature=4cfb0f92ddfa719d2c2958c68074bab3b6fcbca1538691ee7861cf31e7941f66"))
        #expect(url.contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Feu-west-1%2Fs3%2Faws4_request"))
    }

    @Test func headerSignatureOfAListingMatchesBotocore() {
        let headers = signer.authorization(method: "GET", host: "127.0.0.1:9000", path: "/bkt1",
                                           query: [("list-type", "2"), ("prefix", "dir/"), ("delimiter", "/")], headers: [],
                                           payloadHash: Hashes.sha256Hex(""), time: may24)
        #expect(headers.first?.1 == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            + "Signature=fa5b4c4dfd4ca422e997a1c863df5aa1a8226286512095cf6f0efdd173390fef")
        #expect(headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
    }

    @Test func canonicalQueryEncodesSlashesAndSortsByName() {
        let query = S3Signature.canonicalQuery([("prefix", "dir/"), ("list-type", "2"), ("delimiter", "/"), ("uploads", "")])
        #expect(query == "delimiter=%2F&list-type=2&prefix=dir%2F&uploads=")
    }

    @Test func keysKeepSlashesInPathsButEncodeEverythingElse() {
        #expect(S3Signature.encode("backups/a b+c.tar.gz", keepSlash: true) == "backups/a%20b%2Bc.tar.gz")
    }
}
