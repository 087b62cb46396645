import Foundation
import Testing
@testable import WindFlowCore

/// The store's JSON reader gives the same values as `JSONDecoder`, and refuses what it refuses.
@Suite struct JSONParseTests {
    @Test(arguments: [
        #"{"n": 1, "x": 1.5, "whole": 2.0, "big": 1e30, "neg": -3, "exp": 1e3, "tiny": -0.25}"#,
        #"[true, false, null, "", "a\"b\\c\/d", "\n\t\r\b\f", "\u00e9\u4e2d\ud83d\ude00", "raw é 中 😀"]"#,
        #"{"nested": {"list": [[], {}, [1, [2, [3]]]], "deep": {"a": {"b": {"c": "d"}}}}}"#,
        #"  {"spaced" :  [ 1 ,2 ] }  "#,
        #""just text""#, "42", "-7.125", "null",
    ])
    func agreesWithJSONDecoder(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a" 1}"#, #"{"a": 1,}"#, "tru", #""unterminated"#, #""\x""#, #""\ud83d""#, "01x", "1 2", "{\"a\":\"\u{01}\"}",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(text) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep) }
    }
}
