import Testing
@testable import WindFlowCore

/// Where each placeholder of a script stands, read as the shell will read it.
struct ShellPlaceholderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var script: String
        var contexts: [ShellPlaceholders.Context]
        var testDescription: String { script.replacingOccurrences(of: "\n", with: "⏎") }
    }

    static func code(_ runner: String) -> ShellPlaceholders.Context { .code(runner) }

    static let cases: [Case] = [
        Case(script: "echo {{ a }}", contexts: [.word]),
        Case(script: "echo pre{{ a }}post {{ b }}", contexts: [.word, .word]),
        Case(script: "echo \"hello {{ a }}\"", contexts: [.quoted]),
        Case(script: "echo '{{ a }}' {{ b }}", contexts: [.word]),
        Case(script: "docker ps --format '{{.Names}}'", contexts: []),
        Case(script: "echo $'{{ a }}' x", contexts: []),
        Case(script: "# {{ a }} is not run\necho {{ b }}", contexts: [.word]),
        Case(script: "cat <<EOF\nname: {{ a }}\nEOF\necho {{ b }}", contexts: [.quoted, .word]),
        Case(script: "cat <<-'EOF'\n\t{{ a }}\n\tEOF\necho {{ b }}", contexts: [.word]),
        Case(script: "cat <<EOF > out\n$(echo {{ a }})\nEOF", contexts: [.word]),
        Case(script: "echo $(( {{ a }} + 1 ))", contexts: [.arithmetic]),
        Case(script: "(( {{ a }} > 2 )) && echo big", contexts: [.arithmetic]),
        Case(script: "[[ {{ a }} -gt 0 ]]", contexts: [.arithmetic]),
        Case(script: "[[ \"{{ a }}\" -ge 1 ]]", contexts: [.arithmetic]),
        Case(script: "[[ \"{{ a }}\" == main ]] && echo {{ b }}", contexts: [.quoted, .word]),
        Case(script: "[ \"{{ a }}\" -gt 0 ]", contexts: [.quoted]),
        Case(script: "let n={{ a }}+1", contexts: [.arithmetic]),
        Case(script: "declare -i n={{ a }}", contexts: [.arithmetic]),
        Case(script: "a=(x y); echo ${a[{{ b }}]}", contexts: [.arithmetic]),
        Case(script: "a[{{ b }}]=1", contexts: [.arithmetic]),
        Case(script: "echo ${s:{{ a }}:2}", contexts: [.arithmetic]),
        Case(script: "echo \"${NAME:-{{ a }}}\"", contexts: [.quoted]),
        Case(script: "echo \"$(printf '%s' {{ a }})\"", contexts: [.word]),
        Case(script: "echo `printf '%s' {{ a }}`", contexts: [.word]),
        Case(script: "echo $(( $(echo {{ a }}) + 1 ))", contexts: [.arithmetic]),
        Case(script: "eval \"echo {{ a }}\"", contexts: [code("eval")]),
        Case(script: "trap \"rm {{ a }}\" EXIT", contexts: [code("trap")]),
        Case(script: "source {{ a }}", contexts: [code("source")]),
        Case(script: "sh -c \"echo {{ a }}\"", contexts: [code("sh -c")]),
        Case(script: "bash -ec 'echo '{{ a }}", contexts: [code("bash -c")]),
        Case(script: "sudo -u app bash -c \"ls {{ a }}\"", contexts: [code("bash -c")]),
        Case(script: "docker exec web sh -c \"cat {{ a }}\"", contexts: [code("sh -c")]),
        Case(script: "bash -c 'echo \"$1\"' _ {{ a }}", contexts: [.word]),
        Case(script: "bash ./deploy.sh {{ a }}", contexts: [.word]),
        Case(script: "python3 -c \"print({{ a }})\"", contexts: [code("python3 -c")]),
        Case(script: "awk \"{print {{ a }}}\" file", contexts: [code("awk (its program text)")]),
        Case(script: "awk -F: '{print $1}' {{ a }}", contexts: [.word]),
        Case(script: "sed -e \"s/x/{{ a }}/\" file", contexts: [code("sed --expression")]),
        Case(script: "ssh -p 22 {{ a }} uptime", contexts: [.word]),
        Case(script: "ssh deploy@host \"ls {{ a }}\"", contexts: [code("ssh (the remote shell)")]),
        Case(script: "echo {{ a }} | sh", contexts: [code("a pipe into sh")]),
        Case(script: "printf '%s' \"{{ a }}\" | grep x | bash -s", contexts: [code("a pipe into bash")]),
        Case(script: "echo {{ a }} | grep x 2>&1 | wc -l", contexts: [.word]),
        Case(script: "bash <<EOF\necho {{ a }}\nEOF", contexts: [code("bash (its here-document)")]),
        Case(script: "cat <<EOF | sh\necho {{ a }}\nEOF", contexts: [code("a pipe into sh")]),
        Case(script: "{{ a }} --version", contexts: [code("the shell (the value would name the program to run)")]),
        Case(script: "X={{ a }} ./run.sh", contexts: [.word]),
        Case(script: "echo ok; eval {{ a }}; echo {{ b }}", contexts: [code("eval"), .word]),
        Case(script: "echo {{ a }} > {{ b }} 2>&1", contexts: [.word, .word]),
    ]

    @Test(arguments: cases)
    func eachPlaceholderGetsTheContextTheShellGivesIt(_ example: Case) throws {
        let contexts = try ShellPlaceholders.split(example.script).compactMap { piece -> ShellPlaceholders.Context? in
            if case .placeholder(_, let context, _, _) = piece { return context }
            return nil
        }
        #expect(contexts == example.contexts)
    }

    @Test func textOutsidePlaceholdersIsKeptAsWritten() throws {
        let script = "cat <<'EOF'\n{{ kept }}\nEOF\necho \"a {{ x }} b\" '{{ y }}' # {{ z }}\n"
        var rebuilt = ""
        for piece in try ShellPlaceholders.split(script) {
            switch piece {
            case .text(let text): rebuilt += text
            case .placeholder(_, _, let source, _): rebuilt += "{{\(source)}}"
            }
        }
        #expect(rebuilt == script)
    }

    @Test func anUnclosedPlaceholderIsASyntaxErrorWithItsPlace() {
        #expect(throws: ExpressionError.self) { try ShellPlaceholders.split("echo {{ a ") }
        do {
            _ = try ShellPlaceholders.split("echo ok\necho {{ a + }}")
        } catch {
            #expect(error.offset == 13)
        }
    }

    @Test func onlyPlainIntegersMayStandInArithmetic() {
        for good in ["0", "42", "-7", "+3"] { #expect(ShellPlaceholders.isInteger(good)) }
        for bad in ["", "-", "1.5", "a[$(id)]", "1 + 1", "0x10", "１２", "99999999999999999999"] { #expect(!ShellPlaceholders.isInteger(bad)) }
    }

    @Test func theValidatorRefusesAPlaceholderRunAsCodeWithItsPlaceAndTheFix() throws {
        let yaml = workflowYAML(
            nodes: "    - id: a\n      type: integration.script\n      configuration:\n        script: \"echo ok; eval {{ execution.id }}\"",
            edges: "    - source: start\n      target: a")
        let report = try validate(yaml)
        let problem = try #require(report.problems(.placeholderRunAsCode).first)
        #expect(problem.path == "nodes[1].configuration.script")
        #expect(problem.message.contains("eval"))
        #expect(problem.message.contains("character 15"))
        #expect(problem.suggestion?.contains("env:") == true)
        #expect(!report.isValid)
    }
}
