import Testing
@testable import WindFlowCore

/// Error bodies as moto 5.2.1 (and AWS) send them.
struct S3FailureTests {
    @Test func aWrongRegionSaysWhichRegionTheBucketIsIn() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-3'</Message><Region>eu-west-3</Region></Error>
            """
        let failure = S3Failure.classify(status: 400, body: body, operation: "get s3://logs/a.txt")
        #expect(failure.kind == .wrongRegion && failure.region == "eu-west-3" && !failure.retryable)
        #expect(failure.message.hasSuffix("set region to eu-west-3"))
    }

    func body(_ code: String, _ message: String) -> String {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>x</RequestId></Error>"
    }

    @Test func aWrongSecretIsACredentialsProblemThatIsNotRetried() {
        let failure = S3Failure.classify(status: 403, body: body("SignatureDoesNotMatch", "The request signature we calculated does not match"),
                                         operation: "get s3://bkt1/a.txt")
        #expect(failure.kind == .credentials)
        #expect(!failure.retryable)
        #expect(failure.code == "SignatureDoesNotMatch")
        #expect(failure.status == 403)
        #expect(failure.message.hasPrefix("get s3://bkt1/a.txt failed with 403 SignatureDoesNotMatch"))
        #expect(failure.message.contains("check secret_key"))
    }

    @Test func anUnknownBucketSaysWhatToCheck() {
        let failure = S3Failure.classify(status: 404, body: body("NoSuchBucket", "The specified bucket does not exist"), operation: "put s3://nope/k")
        #expect(failure.kind == .notFound)
        #expect(!failure.retryable)
        #expect(failure.message.contains("check bucket, region and endpoint"))
    }

    @Test func slowDownAndServerErrorsAreRetried() {
        #expect(S3Failure.classify(status: 503, body: body("SlowDown", "Please reduce your request rate."), operation: "put").kind == .throttled)
        #expect(S3Failure.classify(status: 503, body: body("SlowDown", "x"), operation: "put").retryable)
        let server = S3Failure.classify(status: 500, body: body("InternalError", "We encountered an internal error."), operation: "put")
        #expect(server.kind == .server)
        #expect(server.retryable)
    }

    @Test func clockSkewNamesTheClock() {
        let failure = S3Failure.classify(status: 403, body: body("RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
                                         operation: "list s3://bkt1/")
        #expect(failure.kind == .clockSkew)
        #expect(failure.message.contains("NTP"))
    }

    @Test func aBodyWithoutXMLFallsBackOnTheStatus() {
        let failure = S3Failure.classify(status: 400, body: "", operation: "head s3://bkt1/k")
        #expect(failure.kind == .request)
        #expect(failure.code == nil)
        #expect(!failure.retryable)
        #expect(S3Failure.element("Message", in: "<Message>a &amp; b &lt;c&gt;</Message>") == "a & b <c>")
    }
}
