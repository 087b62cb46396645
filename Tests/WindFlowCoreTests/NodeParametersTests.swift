import Testing
@testable import WindFlowCore

struct NodeParametersTests {
    let http = NodeParameters(["method": "POST", "timeout": "2m", "follow_redirects": .null], of: "integration.http")

    @Test func aSetValueWinsAndAnUnsetOrNullOneIsTheRegistrysDefault() throws {
        #expect(try http.string("method") == "POST")
        #expect(try http.seconds("timeout") == 120)
        #expect(try http.bool("follow_redirects") == true)
        #expect(try http.int("max_response_bytes") == NodeRegistry.standard.type("integration.http")?.parameter("max_response_bytes")?.defaultValue?.intValue)
        #expect(http.isSet("method") && !http.isSet("follow_redirects") && !http.isSet("body_type"))
    }

    @Test func anUnsetParameterWithoutADefaultSaysSo() {
        #expect(throws: ParameterError(parameter: "url", problem: "is not set, and its node type declares no default")) { try http.string("url") }
        #expect(http["url"] == nil)
    }

    @Test func theWrongShapeNamesTheParameterAndTheShapeButNeverTheValue() {
        let parameters = NodeParameters(["max_rows": "hunter2"], of: "integration.database")
        #expect(throws: ParameterError(parameter: "max_rows", problem: "is text, not an integer")) { try parameters.int("max_rows") }
    }

    @Test func fieldsOfObjectsAndListsOfObjectsHaveTheirOwnDefaults() throws {
        let email = NodeParameters(["email": ["smtp_host": "mail"]], of: "integration.notification").object("email")
        #expect(try email.int("smtp_port") == 587)
        #expect(try email.string("smtp_host") == "mail")
        let probes = NodeParameters(["http_probes": [["url": "http://x"], ["url": "http://y", "expected_status": 204]]], of: "windflow.health_check")
            .items("http_probes")
        #expect(try probes.map { try $0.int("expected_status") } == [200, 204])
        #expect(throws: ParameterError(parameter: "http_probes[0].nope", problem: "is not set, and its node type declares no default")) {
            try probes[0].string("nope")
        }
    }

    @Test func aTriggerReadsItsConfigurationAsWritten() throws {
        let node = WorkflowNode(id: "hook", type: "trigger.webhook", configuration: ["webhook_path": "/x"])
        let parameters = NodeParameters(node)
        #expect(try parameters.string("token_header") == "X-WindFlow-Token")
        #expect(try parameters.string("authentication") == "token")
    }
}
