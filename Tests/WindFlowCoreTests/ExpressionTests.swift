import Testing
@testable import WindFlowCore

struct ExpressionTests {
    let scope = ExpressionScope([
        "trigger": ["stack_id": "shop", "count": 3, "tags": ["a", "b"], "env": "Staging", "nothing": nil],
        "deploy_staging": ["endpoint": "http://127.0.0.1:8080", "containers": ["c1", "c2"]],
        "metrics": ["cpu_usage": 81.25, "request_rate": 900],
        "item": ["name": "web"],
        "index": 2,
    ])

    func value(_ text: String) throws(ExpressionError) -> JSONValue {
        try ExpressionParser.parse(text).evaluate(in: scope)
    }

    @Test func pathsReadNestedFields() throws {
        #expect(try value("trigger.stack_id") == "shop")
        #expect(try value("deploy_staging.containers[1]") == "c2")
        #expect(try value("deploy_staging.containers[-1]") == "c2")
        #expect(try value("trigger['stack_id']") == "shop")
        #expect(try value("item.name") == "web")
        #expect(try value("deploy_staging.containers.length") == 2)
    }

    @Test func arithmeticFollowsPrecedence() throws {
        #expect(try value("1 + 2 * 3") == 7)
        #expect(try value("(1 + 2) * 3") == 9)
        #expect(try value("7 / 2") == 3.5)
        #expect(try value("8 / 2") == 4)
        #expect(try value("7 % 3") == 1)
        #expect(try value("-trigger.count + 1") == -2)
        #expect(try value("metrics.cpu_usage * 2") == 162.5)
        #expect(try value("'a' + 'b'") == "ab")
        #expect(try value("[1] + [2]") == [1, 2])
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try value("metrics.cpu_usage > 80 and metrics.request_rate < 1000") == true)
        #expect(try value("not (1 == 1.0)") == false)
        #expect(try value("1 != 2 && !false") == true)
        #expect(try value("false || 'x'") == "x")
        #expect(try value("'b' in trigger.tags") == true)
        #expect(try value("'c' not in trigger.tags") == true)
        #expect(try value("'shop' in 'workshop'") == true)
        #expect(try value("'stack_id' in trigger") == true)
        #expect(try value("'abc' < 'abd'") == true)
        #expect(try value("null == None") == true)
    }

    @Test func orShortCircuitsSoTheRightSideMayBeMissing() throws {
        #expect(try value("true or trigger.missing") == true)
        #expect(try value("false and trigger.missing") == false)
    }

    @Test func filters() throws {
        #expect(try value("trigger.env | lower") == "staging")
        #expect(try value("trigger.env | upper") == "STAGING")
        #expect(try value("trigger.tags | length") == 2)
        #expect(try value("trigger.tags | join(', ')") == "a, b")
        #expect(try value("trigger.tags | join") == "a,b")
        #expect(try value("metrics.cpu_usage | round") == 81)
        #expect(try value("metrics.cpu_usage | round(1)") == 81.3)
        #expect(try value("trigger.tags | json") == "[\"a\",\"b\"]")
        #expect(try value("trigger.missing | default('x')") == "x")
        #expect(try value("trigger.nothing | default(5)") == 5)
        #expect(try value("trigger.stack_id | default('x')") == "shop")
        #expect(try value("' 42 ' | trim | int") == 42)
        #expect(try value("'2.5' | float") == 2.5)
        #expect(try value("trigger.count | string") == "3")
        #expect(try value("trigger.tags | first") == "a")
        #expect(try value("trigger.tags | last") == "b")
        #expect(try value("deploy_staging | keys") == ["containers", "endpoint"])
        #expect(try value("trigger.env | lower | length > 3") == true)
    }

    @Test func templatesKeepTheTypeOfASinglePlaceholder() throws {
        #expect(try Template.parse("{{ trigger.count }}").render(in: scope) == 3)
        #expect(try Template.parse("  {{ trigger.tags }} ").render(in: scope) == ["a", "b"])
        #expect(try Template.parse("{{ deploy_staging.endpoint }}/health").render(in: scope) == "http://127.0.0.1:8080/health")
        #expect(try Template.parse("n={{ trigger.count }} ok={{ true }} x={{ trigger.nothing }}").render(in: scope) == "n=3 ok=true x=")
        #expect(try Template.parse("{{ trigger.tags }}!").render(in: scope) == "[\"a\",\"b\"]!")
        #expect(try Template.parse("no placeholders").render(in: scope) == "no placeholders")
        #expect(try Template.parse("{{ '}}' }}").render(in: scope) == "}}")
    }

    @Test func syntaxErrorsSayWhereAndHowToFix() {
        func error(_ text: String) -> ExpressionError? {
            do { _ = try ExpressionParser.parse(text); return nil } catch { return error }
        }
        #expect(error("a +")?.message.contains("ends too early") == true)
        #expect(error("a = 1")?.hint == "use == to compare")
        #expect(error("(a")?.message.contains("to close '('") == true)
        #expect(error("a b")?.offset == 2)
        #expect(error("1 < 2 < 3")?.hint == "join two comparisons with and")
        #expect(error("x | lowr")?.hint == "did you mean 'lower'?")
        #expect(error("x | round(1, 2)")?.message.contains("takes 0 to 1 arguments") == true)
        #expect(error("'open")?.hint == "add a closing '")
        #expect(error("")?.message == "expression is empty")
        #expect(error("a.")?.message.contains("field name after '.'") == true)
    }

    @Test func templateErrorsCountFromTheStartOfTheValue() {
        do {
            _ = try Template.parse("url: {{ a + }}")
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 12)
        }
        #expect(throws: ExpressionError.self) { try Template.parse("{{ never closed") }
    }

    @Test func evaluationErrorsNameThePathAndSuggest() {
        func error(_ text: String) -> ExpressionError? {
            do { _ = try value(text); return nil } catch { return error }
        }
        let missing = error("deploy_staging.endpoitn")
        #expect(missing?.message == "'deploy_staging' has no field 'endpoitn'")
        #expect(missing?.hint == "did you mean 'deploy_staging.endpoint'?")
        #expect(missing?.path == "deploy_staging.endpoitn")
        #expect(error("trigger.nothing.x")?.message.contains("is null") == true)
        #expect(error("undefined_node.x")?.message.contains("is not defined") == true)
        #expect(error("1 / 0")?.message == "division by zero")
        #expect(error("'a' + 1")?.hint == "convert the other side with | string")
        #expect(error("'5' > 3")?.hint == "convert the text with | float or | int")
        #expect(error("deploy_staging.containers[5]")?.message.contains("out of range") == true)
        #expect(error("trigger.count | lower")?.message.contains("needs a string") == true)
        #expect(error("trigger.tags > 1")?.message == "cannot compare a list with an integer using >", "the article fits the word")
        #expect(error("-item")?.message == "cannot negate an object")
    }

    @Test func depthAndLengthAreBounded() {
        let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(deep) }
        let long = Array(repeating: "1", count: 3000).joined(separator: "+")
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(long) }
        let nots = String(repeating: "not ", count: 100) + "true"
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(nots) }
    }

    @Test func expressionsAreDataNotCode() throws {
        // Nothing in the language runs anything: these are just names and strings.
        #expect(try value("'$(rm -rf /)'") == "$(rm -rf /)")
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse("__import__('os').system('x')") }
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse("trigger.stack_id; rm -rf /") }
    }

    @Test func referencesListWhatIsRead() throws {
        let expression = try ExpressionParser.parse("a.b.c + x[0].y + z['k'] + w[a.i] | default(q.r)")
        let paths = expression.references.map(\.dottedPath)
        #expect(paths == ["a.b.c", "x", "z.k", "w", "a.i", "q.r"])
    }

    @Test func numbersAndLiterals() throws {
        #expect(try value("1_000") == 1000)
        #expect(try value("1.5e3") == 1500.0)
        #expect(try value("[1, 'two', true, null]") == [1, "two", true, nil])
        #expect(try value("\"say \\\"hi\\\"\"") == "say \"hi\"")
        #expect(try value("9223372036854775807 + 1") == .double(9223372036854775808.0))
    }
}
