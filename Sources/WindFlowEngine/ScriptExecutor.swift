import Foundation
import WindFlowCore


/// `integration.script`: runs bash, sh or python3 in its own process group.
///
/// A `{{ … }}` in the script body is never spliced into its text: each one is evaluated, passed as an environment
/// variable `WINDFLOW_EXPR_n`, and replaced in the text by a reference to that variable, so no value can inject code.
/// bash and sh run with `-e` (and bash with `-o pipefail`): the script fails at the first failing command, as in CI.
struct ScriptExecutor: NodeExecutor {
    var rawParameters: Set<String> { ["script"] }

    func execute(_ context: NodeContext) async -> NodeOutcome {
        let language: String, outputLimit: Int, retryableCodes: [JSONValue]
        do throws(ParameterError) {
            let parameters = context.parameters
            (language, outputLimit, retryableCodes) = (try parameters.string("script_type"), try parameters.int("max_output_bytes"),
                                                       try parameters.list("retryable_exit_codes"))
        } catch {
            return .failed(NodeFailure(error))
        }
        let body: (text: String, environment: [String: String])
        do {
            body = try Self.substitute(context.node.configuration["script"]?.stringValue ?? "", language: language,
                                       scope: context.scope)
        } catch {
            return expressionFailure(error, parameter: "script")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            return .failed(NodeFailure(.internal, "cannot create a scratch directory: \(error.localizedDescription)"))
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let scriptFile = scratch.appendingPathComponent("script")
        let outputFile = scratch.appendingPathComponent("output")
        do {
            try Data(body.text.utf8).write(to: scriptFile)
            FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        } catch {
            return .failed(NodeFailure(.internal, "cannot write the script: \(error.localizedDescription)"))
        }

        var environment: [String: String] = [
            "WINDFLOW_OUTPUT": outputFile.path, "WINDFLOW_EXECUTION_ID": context.executionID,
            "WINDFLOW_IDEMPOTENCY_KEY": context.idempotencyKey, "WINDFLOW_ATTEMPT": String(context.attempt),
            "WINDFLOW_NODE_ID": context.key.node,
        ]
        for (name, value) in body.environment { environment[name] = value }
        for (name, value) in context.input["env"]?.objectValue ?? [:] { environment[name] = value.renderedText }
        let interpreter: (String, [String])
        switch language {
        case "sh": interpreter = ("sh", ["-e", scriptFile.path])
        case "python3": interpreter = ("python3", ["-u", scriptFile.path])
        default: interpreter = ("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", scriptFile.path])
        }
        let result: ProcessRunner.Result
        do {
            result = try await ProcessRunner.run(
                interpreter.0, arguments: interpreter.1, environment: environment,
                workingDirectory: context.input["working_directory"]?.stringValue,
                limit: outputLimit
            ) { line, isError in context.log(isError ? "stderr: \(line)" : line) }
        } catch {
            if Task.isCancelled { return .failed(NodeFailure(.cancelled, "the script was stopped")) }
            return .failed(NodeFailure(.configuration, "cannot start \(interpreter.0): \(error)", retryable: false))
        }
        if Task.isCancelled { return .failed(NodeFailure(.cancelled, "the script was stopped")) }

        var output: [String: JSONValue] = ["stdout": .string(result.stdout.text), "stderr": .string(result.stderr.text)]
        if result.stdout.cut > 0 || result.stderr.cut > 0 {
            output["truncated"] = ["stdout_bytes_dropped": .int(result.stdout.cut), "stderr_bytes_dropped": .int(result.stderr.cut)]
        }
        for (name, value) in Self.readOutputFile(outputFile) { output[name] = value }
        let tail = String(result.stderr.text.suffix(2000))
        switch (result.exitCode, result.signal) {
        case (let code?, _):
            output["exit_code"] = .int(Int(code))
            guard code == 0 else {
                let retryable = retryableCodes.contains(.int(Int(code)))
                return .failed(NodeFailure(.exit, Self.exitMessage(Int(code), interpreter: interpreter.0, stderr: tail),
                                           retryable: retryable, details: Self.details(exitCode: Int(code), stderr: tail),
                                           output: .object(output)))
            }
            return .succeeded(.object(output), branch: nil)
        case (nil, let signal):
            return .failed(NodeFailure(.exit, "the script was killed by signal \(signal ?? 0)", retryable: false,
                                       details: FailureDetails(signal: signal.map(Int.init), errorClass: .killed), output: .object(output)))
        }
    }

    /// The facts of a non-zero exit: the status, its class when the shell says what it means (126, 127), and the
    /// command the shell named.
    static func details(exitCode code: Int, stderr: String) -> FailureDetails {
        let errorClass: FailureClass? = switch code {
        case 127: .commandNotFound
        case 126: .notExecutable
        default: nil
        }
        var details = FailureDetails(exitCode: code, errorClass: errorClass)
        if errorClass != nil, let line = stderr.split(separator: "\n").last(where: { $0.contains("not found") || $0.contains("Permission denied") }) {
            // `bash: line 3: npmx: command not found`, `sh: 1: npmx: not found`: the command is the field before the reason.
            let fields = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count >= 2 { details.subject = fields[fields.count - 2] }
        }
        return details
    }

    static func exitMessage(_ code: Int, interpreter: String, stderr: String) -> String {
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        switch code {
        case 127: return "a command was not found (exit 127)\(last.isEmpty ? "" : ": \(last)")"
        case 126: return "a command could not be executed (exit 126)\(last.isEmpty ? "" : ": \(last)")"
        default: return "the script exited with status \(code)\(last.isEmpty ? "" : ": \(last)")"
        }
    }

    /// Replaces each `{{ … }}` by a reference to an environment variable holding its value, written for where it
    /// stands (see ``ShellPlaceholders/Context``). In bash and sh, text in single quotes is the shell's own and is
    /// left as written; a placeholder in text run as code, or a non-integer in arithmetic, fails the node.
    static func substitute(_ script: String, language: String, scope: ExpressionScope) throws(ExpressionError)
        -> (text: String, environment: [String: String])
    {
        guard Template.containsPlaceholder(script) else { return (script, [:]) }
        var text = language == "python3" ? "import os as _windflow_os\n" : ""
        var environment: [String: String] = [:]
        func value(_ expression: WindFlowCore.Expression, source: String) throws(ExpressionError) -> String {
            let name = "WINDFLOW_EXPR_\(environment.count + 1)"
            let value = try expression.evaluate(in: scope).renderedText
            guard !value.contains("\u{0}") else {
                throw ExpressionError("the value of {{ \(source.trimmingCharacters(in: .whitespaces)) }} contains a NUL byte, which no environment variable can hold",
                                      hint: "the input that fed it holds a NUL byte: remove it at the source")
            }
            environment[name] = value
            return name
        }
        if language == "python3" {
            for segment in try Template.parse(script).segments {
                switch segment {
                case .text(let literal): text += literal
                case .expression(let expression, let source, _): text += "_windflow_os.environ['\(try value(expression, source: source))']"
                }
            }
            return (text, environment)
        }
        for piece in try ShellPlaceholders.split(script) {
            switch piece {
            case .text(let literal):
                text += literal
            case .placeholder(let expression, let context, let source, let offset):
                if let refusal = ShellPlaceholders.refusal(context, source: source) {
                    throw ExpressionError(refusal.message, offset: offset, hint: refusal.hint)
                }
                let name = try value(expression, source: source)
                switch context {
                case .word: text += "\"${\(name)}\""
                case .quoted, .code: text += "${\(name)}"
                case .arithmetic:
                    guard let number = environment[name], ShellPlaceholders.isInteger(number) else {
                        throw ExpressionError(
                            "{{ \(source.trimmingCharacters(in: .whitespaces)) }} is used in shell arithmetic ($(( )), (( )), let, [[ -gt ]], an array index), where bash would run commands hidden in it; its value \(String(reflecting: String(environment[name]!.prefix(60)))) is not an integer",
                            offset: offset, hint: "send an integer, or check it first: pass it through env: and test it with [[ $N =~ ^-?[0-9]+$ ]] before using it")
                    }
                    text += "${\(name)}"
                }
            }
        }
        return (text, environment)
    }

    /// Fields the script wrote to `$WINDFLOW_OUTPUT`: a JSON object, or `key=value` lines.
    static func readOutputFile(_ url: URL) -> [String: JSONValue] {
        guard let data = try? Data(contentsOf: url), !data.isEmpty, data.count <= 4 * 1024 * 1024 else { return [:] }
        if let object = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let fields) = object {
            return fields
        }
        var fields: [String: JSONValue] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: equals)...])
            guard !name.isEmpty else { continue }
            if let number = Int(value) { fields[name] = .int(number) } else if let number = Double(value) {
                fields[name] = .double(number)
            } else if value == "true" || value == "false" { fields[name] = .bool(value == "true") } else {
                fields[name] = .string(value)
            }
        }
        return fields
    }
}
