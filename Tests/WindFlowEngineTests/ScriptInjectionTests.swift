import Foundation
import Testing
@testable import WindFlowCore
@testable import WindFlowEngine

/// Hostile values in every place a script can hold a placeholder, run for real by bash: each value arrives as data
/// exactly as sent, or the node fails with a clear error before anything runs. Never does a value run.
struct ScriptInjectionTests {
    /// What a script written this way must do with any value.
    enum Expectation: Sendable {
        /// The file `OUT` holds exactly this, with `V` standing for the value.
        case writes(String)
        /// The node fails before running, with this in its message.
        case refuses(String)
        /// Integers are used as numbers (`OUT` holds this with `V` the value plus one); anything else is refused.
        case integerOnly(String)
    }

    struct Context: CustomTestStringConvertible, Sendable {
        var name: String
        var script: String
        var expectation: Expectation
        var language = "bash"
        var testDescription: String { name }
    }

    static let contexts: [Context] = [
        Context(name: "unquoted word", script: "printf '%s' {{ trigger.v }} > OUT", expectation: .writes("V")),
        Context(name: "inside double quotes", script: "printf '%s' \"pre {{ trigger.v }} post\" > OUT", expectation: .writes("pre V post")),
        Context(name: "assignment", script: "X={{ trigger.v }}\nprintf '%s' \"$X\" > OUT", expectation: .writes("V")),
        Context(name: "unquoted here-document", script: "cat > OUT <<EOF\n[{{ trigger.v }}]\nEOF", expectation: .writes("[V]\n")),
        Context(name: "quoted here-document", script: "cat > OUT <<'EOF'\n{{ trigger.v }}\nEOF", expectation: .writes("{{ trigger.v }}\n")),
        Context(name: "single quotes", script: "printf '%s' '{{ trigger.v }}' > OUT", expectation: .writes("{{ trigger.v }}")),
        Context(name: "command substitution", script: "printf '%s' \"$(printf '%s' {{ trigger.v }})\" > OUT", expectation: .writes("V")),
        Context(name: "default of a parameter", script: "printf '%s' \"${UNSET_NAME:-{{ trigger.v }}}\" > OUT", expectation: .writes("V")),
        Context(name: "string test", script: "if [[ {{ trigger.v }} == \"{{ trigger.v }}\" ]]; then printf '%s' same > OUT; fi", expectation: .writes("same")),
        Context(name: "positional argument of bash -c", script: "bash -c 'printf \"%s\" \"$1\" > OUT' _ {{ trigger.v }}", expectation: .writes("V")),
        Context(name: "case subject", script: "case {{ trigger.v }} in *) printf '%s' matched > OUT;; esac", expectation: .writes("matched")),
        Context(name: "$(( ))", script: "echo -n $(( {{ trigger.v }} + 1 )) > OUT", expectation: .integerOnly("V+1")),
        Context(name: "(( ))", script: "(( n = {{ trigger.v }} + 1 )); echo -n $n > OUT", expectation: .integerOnly("V+1")),
        Context(name: "[[ -gt ]] quoted", script: "[[ \"{{ trigger.v }}\" -gt -1000 ]]; echo -n $(( {{ trigger.v }} + 1 )) > OUT", expectation: .integerOnly("V+1")),
        Context(name: "let", script: "let n={{ trigger.v }}+1; echo -n $n > OUT", expectation: .integerOnly("V+1")),
        Context(name: "declare -i", script: "declare -i n={{ trigger.v }}; echo -n $((n + 1)) > OUT", expectation: .integerOnly("V+1")),
        Context(name: "array index", script: "a=(x); a[{{ trigger.v }}+5000]=y; echo -n $(( {{ trigger.v }} + 1 )) > OUT", expectation: .integerOnly("V+1")),
        Context(name: "eval", script: "eval \"printf '%s' {{ trigger.v }}\" > OUT", expectation: .refuses("eval")),
        Context(name: "sh -c", script: "sh -c \"printf '%s' {{ trigger.v }} > OUT\"", expectation: .refuses("sh -c")),
        Context(name: "pipe into bash", script: "echo \"printf '%s' {{ trigger.v }}\" | bash > OUT", expectation: .refuses("a pipe into bash")),
        Context(name: "here-document into sh", script: "sh > OUT <<EOF\nprintf '%s' {{ trigger.v }}\nEOF", expectation: .refuses("sh")),
        Context(name: "command name", script: "{{ trigger.v }} > OUT", expectation: .refuses("program to run")),
        Context(name: "python", script: "open('OUT', 'w').write({{ trigger.v }})", expectation: .writes("V"), language: "python3"),
    ]

    /// Values an attacker sends to a webhook, each of which would create `MARK` if it ran.
    static func hostileValues(mark: String) -> [String] {
        [
            "$(touch \(mark))", "`touch \(mark)`", "a[$(touch \(mark))]", "x[$(touch \(mark))]+1", "*", "/ *",
            "a b  c", "line one\nline two", "--version", "-n", "; touch \(mark)", "| touch \(mark)", "&& touch \(mark)",
            "\"; touch \(mark); \"", "'; touch \(mark); '", "${IFS}touch${IFS}\(mark)", "$((1))", "41", "-3",
        ]
    }

    @Test(arguments: contexts)
    func hostileValuesNeverRun(_ context: Context) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let mark = sandbox.path("pwned")
        for value in Self.hostileValues(mark: mark) {
            let work = sandbox.path("work-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            // Files a glob of `*` would list, so word splitting or globbing shows in the output.
            FileManager.default.createFile(atPath: work + "/decoy", contents: nil)
            let outcome = await Self.run(context, value: value, in: work)
            #expect(!FileManager.default.fileExists(atPath: mark), "\(context.name): \(value.debugDescription) ran")
            let written = try? String(contentsOfFile: work + "/OUT", encoding: .utf8)
            switch context.expectation {
            case .writes(let template):
                #expect(written == template.replacingOccurrences(of: "V", with: value),
                        "\(context.name) with \(value.debugDescription): \(outcome)")
            case .refuses(let runner):
                guard case .failed(let failure) = outcome else {
                    Issue.record("\(context.name) ran with \(value.debugDescription)")
                    continue
                }
                #expect(failure.kind == .expression && !failure.retryable)
                #expect(failure.message.contains(runner) && failure.message.contains("env:"), "\(failure.message)")
                #expect(written == nil)
            case .integerOnly(let template):
                if let number = Int(value), ShellPlaceholders.isInteger(value) {
                    #expect(written == template.replacingOccurrences(of: "V+1", with: String(number + 1)), "\(outcome)")
                } else {
                    guard case .failed(let failure) = outcome else {
                        Issue.record("\(context.name) ran with \(value.debugDescription)")
                        continue
                    }
                    #expect(failure.message.contains("not an integer"), "\(failure.message)")
                    #expect(written == nil)
                }
            }
        }
    }

    @Test func aNULByteInAValueFailsTheNodeClearly() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let outcome = await Self.run(Self.contexts[0], value: "a\u{0}b", in: sandbox.directory.path)
        guard case .failed(let failure) = outcome else { Issue.record("ran: \(outcome)"); return }
        #expect(failure.message.contains("NUL"))
    }

    static func run(_ context: Context, value: String, in directory: String) async -> NodeOutcome {
        let node = WorkflowNode(id: "script", type: "integration.script", configuration: [
            "script": .string(context.script), "script_type": .string(context.language), "working_directory": .string(directory),
        ])
        let input: [String: JSONValue] = ["script_type": .string(context.language), "working_directory": .string(directory)]
        let scope = ExpressionScope(["trigger": ["v": .string(value)]])
        let nodeContext = NodeContext(
            key: NodeKey("script"), node: node, attempt: 1, executionID: "ex_test", idempotencyKey: "ex_test:script",
            input: input, scope: scope, incoming: [], now: 0, log: { _ in })
        return await ScriptExecutor().execute(nodeContext)
    }
}
