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
}
