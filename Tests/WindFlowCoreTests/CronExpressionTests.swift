import Foundation
import Testing
@testable import WindFlowCore

struct CronExpressionTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    func next(_ cron: String, after: String, zone: String = "UTC") throws -> String? {
        let expression = try CronExpression(cron)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: zone)!
        return expression.next(after: date(after), in: TimeZone(identifier: zone)!).map(formatter.string(from:))
    }

    @Test func seedSchedulesFireWhenExpected() throws {
        #expect(try next("*/5 * * * *", after: "2026-11-26T10:02:00Z") == "2026-11-26T10:05:00Z")
        #expect(try next("*/5 * * * *", after: "2026-11-26T10:05:00Z") == "2026-11-26T10:10:00Z")
        // Sundays at 02:00; 2026-11-26 is a Thursday.
        #expect(try next("0 2 * * 0", after: "2026-11-26T10:00:00Z") == "2026-11-29T02:00:00Z")
    }

    @Test func macrosNamesRangesListsAndSteps() throws {
        #expect(try next("@daily", after: "2026-11-26T10:00:00Z") == "2026-11-27T00:00:00Z")
        #expect(try next("@hourly", after: "2026-11-26T10:00:00Z") == "2026-11-26T11:00:00Z")
        #expect(try next("0 9 * * MON-FRI", after: "2026-11-27T10:00:00Z") == "2026-11-30T09:00:00Z")
        #expect(try next("0 0 1 JAN *", after: "2026-11-26T10:00:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("15,45 8-10/2 * * *", after: "2026-11-26T08:20:00Z") == "2026-11-26T08:45:00Z")
        #expect(try next("0 0 * * 7", after: "2026-11-26T10:00:00Z") == "2026-11-29T00:00:00Z")
        #expect(try next("30 */10 * * * *", after: "2026-11-26T10:00:00Z") == "2026-11-26T10:00:30Z")
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreSet() throws {
        // 13th of the month or any Friday: 2026-11-27 is a Friday.
        #expect(try next("0 0 13 * 5", after: "2026-11-26T10:00:00Z") == "2026-11-27T00:00:00Z")
    }

    @Test func timeZonesAndImpossibleDates() throws {
        #expect(try next("0 3 * * *", after: "2026-11-26T10:00:00Z", zone: "Europe/Paris") == "2026-11-27T03:00:00+01:00")
        #expect(try CronExpression("0 0 30 2 *").next(after: date("2026-01-01T00:00:00Z"), in: utc) == nil)
    }

    @Test func invalidExpressionsSayWhichField() {
        let cases: [(String, String)] = [
            ("61 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"), ("* * * 13 *", "month"),
            ("* * * * 8", "day of week"), ("* * *", "5 fields"), ("@sometimes", "unknown macro"), ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"), ("a * * * *", "minute"),
        ]
        for (text, field) in cases {
            do {
                _ = try CronExpression(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains(field), "\(text): \(error)")
            }
        }
    }
}

struct PrometheusTextTests {
    @Test func samplesWithLabelsEscapesAndTimestamps() {
        let samples = PrometheusText.parse("""
            # HELP x help
            # TYPE x counter
            http_requests_total{method="get",path="/a\\"b"} 1027 1700000000000
            process_cpu_seconds_total 12.5
            weird{a="1"} +Inf
            not a sample
            """)
        #expect(samples.count == 3)
        #expect(samples[0].labels == ["method": "get", "path": "/a\"b"])
        #expect(samples[0].value == 1027)
        #expect(samples[0].timestamp == 1_700_000_000)
        #expect(samples[1].name == "process_cpu_seconds_total")
        #expect(samples[2].value == .infinity)
    }

    @Test func labelValuesAreEscapedSoTheyReadBack() {
        let value = "a \"quoted\" C:\\path\nnext"
        let line = "m{provider=\"\(PrometheusText.labelValue(value))\"} 1"
        #expect(!line.contains("\n"), "one line")
        #expect(PrometheusText.parse(line).first?.labels == ["provider": value])
    }
}

struct HashesTests {
    @Test func knownDigests() {
        #expect(Hashes.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hashes.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Hashes.sha256Hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        #expect(Hashes.hmacSHA256Hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
        let github = Hashes.hmacSHA256Hex(key: Array("It's a Secret to Everybody".utf8), message: Array("Hello, World!".utf8))
        #expect(github == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        #expect(Hashes.constantTimeEquals(Array(github.utf8), Array(github.utf8)))
        #expect(!Hashes.constantTimeEquals(Array(github.utf8), Array(github.utf8.reversed())))
    }
}
