import Foundation
import WindFlowCore

/// `integration.git`: clone, pull, checkout, tag, commit, push, status and changed files through the git CLI.
/// Credentials reach git through `GIT_ASKPASS` from environment variables — never on a command line — and are
/// redacted from everything reported.
struct GitExecutor: NodeExecutor {
    func execute(_ context: NodeContext) async -> NodeOutcome {
        guard let operation = context.input["operation"]?.stringValue, let directory = context.input["directory"]?.stringValue else {
            return .failed(NodeFailure(.validation, "operation and directory are required", retryable: false))
        }
        // Values often come from webhooks: one starting with '-' would be read by git as an option (--mirror,
        // --upload-pack=…), so none may.
        for name in ["directory", "repository", "branch", "ref", "tag", "base_ref"] {
            if let value = context.input[name]?.stringValue, value.hasPrefix("-") || value.contains(where: { $0.isNewline || $0 == "\0" }) {
                return .failed(NodeFailure(.validation, "\(name) '\(value)' is not allowed: it must not start with '-' or hold control characters",
                                           retryable: false))
            }
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-git-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = ["GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"]
        // Children see an allow-listed environment (ProcessRunner); git over ssh still needs the agent.
        if let agent = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] { environment["SSH_AUTH_SOCK"] = agent }
        let password = context.input["password"]?.stringValue
        if let username = context.input["username"]?.stringValue ?? password.map({ _ in "x-access-token" }), let password {
            do {
                try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                let askpass = scratch.appendingPathComponent("askpass")
                try Data("#!/bin/sh\ncase \"$1\" in Username*) printf '%s' \"$WINDFLOW_GIT_USERNAME\";; *) printf '%s' \"$WINDFLOW_GIT_PASSWORD\";; esac\n".utf8)
                    .write(to: askpass)
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: askpass.path)
                environment["GIT_ASKPASS"] = askpass.path
                environment["WINDFLOW_GIT_USERNAME"] = username
                environment["WINDFLOW_GIT_PASSWORD"] = password
            } catch {
                return .failed(NodeFailure(.internal, "cannot prepare git credentials: \(error.localizedDescription)"))
            }
        }
        let identity: [String]
        do throws(ParameterError) {
            identity = ["-c", "user.name=\(try context.parameters.text("author_name"))", "-c", "user.email=\(try context.parameters.text("author_email"))"]
        } catch {
            return .failed(NodeFailure(error))
        }
        let redactor = Redactor(secrets: ["password": password ?? ""])
        var transcript: [String] = []
        func git(_ arguments: [String], in folder: String? = directory) async -> NodeFailure? {
            do {
                let result = try await ProcessRunner.run(
                    "git", arguments: identity + (folder.map { ["-C", $0] } ?? []) + arguments, environment: environment,
                    limit: 1_048_576) { line, _ in context.log(redactor.redact(line)) }
                let text = redactor.redact((result.stdout.text + result.stderr.text).trimmingCharacters(in: .whitespacesAndNewlines))
                if !text.isEmpty { transcript.append(text) }
                guard result.exitCode == 0 else {
                    let retryable = ["Could not resolve host", "Connection refused", "Couldn't connect to server", "Failed to connect", "timed out",
                                     "Connection reset"].contains { text.contains($0) }
                    let errorClass = Self.errorClass(text)
                    // A branch that is not there: the ones that are, so the advice can name the closest.
                    var branches: [String]?
                    if errorClass?.rawValue == "unknown_branch", let repository = context.input["repository"]?.stringValue {
                        let heads = try? await ProcessRunner.run("git", arguments: ["ls-remote", "--heads", repository], environment: environment, limit: 65_536)
                        branches = heads?.stdout.text.split(separator: "\n").compactMap { $0.split(separator: "\t").last.map { String($0.dropFirst("refs/heads/".count)) } }
                    }
                    return NodeFailure(retryable ? .connection : .exit,
                                       "git \(arguments.first ?? "") failed (exit \(result.exitCode.map(String.init) ?? "signal")): \(text.split(separator: "\n").last ?? "")",
                                       retryable: retryable, details: FailureDetails(exitCode: result.exitCode.map(Int.init), signal: result.signal.map(Int.init),
                                                                                     errorClass: errorClass, subject: arguments.first, alternatives: branches))
                }
                return nil
            } catch {
                if Task.isCancelled { return NodeFailure(.cancelled, "git was stopped") }
                return NodeFailure(.configuration, "cannot run git: \(error); is git installed?", retryable: false)
            }
        }
        let branch = context.input["branch"]?.stringValue
        var failure: NodeFailure?
        switch operation {
        case "clone":
            guard let repository = context.input["repository"]?.stringValue else {
                return .failed(NodeFailure(.validation, "clone needs repository", retryable: false))
            }
            failure = await git(["clone"] + (branch.map { ["--branch", $0] } ?? []) + ["--", repository, directory], in: nil)
        case "pull": failure = await git(["pull", "--ff-only"] + (branch.map { ["origin", $0] } ?? []))
        case "checkout":
            guard let target = context.input["ref"]?.stringValue ?? branch else {
                return .failed(NodeFailure(.validation, "checkout needs ref or branch", retryable: false))
            }
            failure = await git(["checkout", target])
        case "tag":
            guard let tag = context.input["tag"]?.stringValue else { return .failed(NodeFailure(.validation, "tag needs tag", retryable: false)) }
            failure = await git(["tag", "-a", tag, "-m", context.input["message"]?.renderedText ?? tag])
        case "commit":
            let files = (context.input["files"]?.arrayValue ?? []).compactMap(\.stringValue)
            failure = await git(["add"] + (files.isEmpty ? ["-A"] : ["--"] + files))
            if failure == nil {
                failure = await git(["commit", "-m", context.input["message"]?.renderedText ?? "WindFlow commit"])
                // Nothing to commit is not a failure: the working copy already says what it should.
                if failure != nil, transcript.last?.contains("nothing to commit") == true { failure = nil }
            }
        case "push":
            failure = await git(["push", "origin"] + (branch.map { [$0] } ?? ["HEAD"]))
            if failure == nil, context.input["tag"]?.stringValue != nil { failure = await git(["push", "origin", "--tags"]) }
        case "status", "changed_files": failure = nil
        default:
            return .failed(NodeFailure(.validation, "unknown operation '\(operation)'", retryable: false))
        }
        if let failure {
            return .failed(NodeFailure(failure.kind, failure.message, retryable: failure.retryable, details: failure.details,
                                       output: ["output": .string(transcript.joined(separator: "\n"))]))
        }
        return .succeeded(await describe(directory, operation: operation, base: context.input["base_ref"]?.stringValue,
                                         environment: environment, transcript: transcript), branch: nil)
    }

    /// Commit, branch and changed files of the working copy.
    private func describe(_ directory: String, operation: String, base: String?, environment: [String: String],
                          transcript: [String]) async -> JSONValue {
        func read(_ arguments: [String]) async -> String {
            let result = try? await ProcessRunner.run("git", arguments: ["-C", directory] + arguments, environment: environment, limit: 1_048_576)
            // Only trailing newlines go: porcelain status lines start with meaningful spaces.
            guard result?.exitCode == 0, var text = result?.stdout.text else { return "" }
            while text.last == "\n" { text.removeLast() }
            return text
        }
        let changed: [String]
        if let base {
            changed = await read(["diff", "--name-only", "\(base)...HEAD"]).split(separator: "\n").map(String.init)
        } else {
            changed = await read(["status", "--porcelain"]).split(separator: "\n").map { String($0.dropFirst(3)) }
        }
        return [
            "commit": .string(await read(["rev-parse", "HEAD"])), "branch": .string(await read(["rev-parse", "--abbrev-ref", "HEAD"])),
            "changed_files": .array(changed.map(JSONValue.string)), "output": .string(transcript.joined(separator: "\n")),
        ]
    }
}

extension GitExecutor {
    /// The class of a failed git command, from git's own wording (git has no machine-readable errors).
    static func errorClass(_ output: String) -> FailureClass? {
        let classes: [(String, [String])] = [
            ("authentication_failed", ["Authentication failed", "could not read Username", "Permission denied (publickey"]),
            ("unknown_branch", ["Remote branch", "did not match any file(s) known to git", "couldn't find remote ref"]),
            ("dns", ["Could not resolve host"]),
            ("connection_refused", ["Connection refused", "Couldn't connect to server", "Failed to connect"]),
            ("timeout", ["timed out"]),
            ("not_a_repository", ["not a git repository", "does not appear to be a git repository"]),
            ("merge_conflict", ["CONFLICT", "Not possible to fast-forward"]),
        ]
        return classes.first { _, markers in markers.contains { output.contains($0) } }.map { FailureClass(rawValue: $0.0) }
    }
}
