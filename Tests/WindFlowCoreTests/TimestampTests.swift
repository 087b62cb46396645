import Foundation
import Testing
@testable import WindFlowCore

/// API times are RFC 3339 in UTC with milliseconds, whatever the date.
@Suite struct TimestampTests {
    @Test func secondsBecomeRFC3339WithMilliseconds() {
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(1_796_406_524.165) == "2026-12-04T17:48:44.165Z")
        #expect(Timestamp.rfc3339(951_782_400.999_9) == "2000-02-29T00:00:00.999Z", "milliseconds are cut, not rounded up")
        #expect(Timestamp.rfc3339(-0.5) == "1969-12-31T23:59:59.500Z")
        #expect(JSONValue.timestamp(0) == .string("1970-01-01T00:00:00.000Z"))
    }

    @Test func everyDayAgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        for day in stride(from: -40_000, through: 80_000, by: 97) {
            let whole = Double(day) * 86_400 + 45_296
            let expected = formatter.string(from: Date(timeIntervalSince1970: whole)).dropLast() + ".789Z"
            #expect(Timestamp.rfc3339(whole + 0.789) == String(expected))
        }
    }
}
