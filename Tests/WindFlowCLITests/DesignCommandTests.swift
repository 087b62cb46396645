import Foundation
import Testing

/// `windflow design`, `proposals`, `templates`, `suggest` and `eval` as a user runs them (offline: no model).
@Suite(.serialized)
struct DesignCommandTests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-design-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func designThenAcceptThenRun() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("db.sqlite").path
        let out = directory.appendingPathComponent("proposal.yaml").path
        let designed = try await windflow(["design", "every weekday at 8:30 back up the billing stack and tell slack", "--db", db, "--out", out, "--provider", "offline"])
        #expect(designed.status == 0, "\(designed.stderr)")
        #expect(designed.stderr.contains("round 1: offline") && designed.stderr.contains("round 1: valid"))
        #expect(designed.stdout.contains("— valid (proposed)"))
        let yaml = try String(contentsOfFile: out, encoding: .utf8)
        #expect(yaml.contains("30 8 * * 1-5") && yaml.contains("billing"))
        let id = try #require(designed.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let listed = try await windflow(["proposals", "list", "--db", db])
        #expect(listed.stdout.contains(id) && listed.stdout.contains("proposed"))
        let accepted = try await windflow(["proposals", "accept", String(id.prefix(10)), "--db", db])
        #expect(accepted.status == 0 && accepted.stdout.contains("version 1"), "\(accepted.stderr)")
        let again = try await windflow(["proposals", "accept", id, "--db", db])
        #expect(again.status != 0 && again.stderr.contains("already accepted"))
    }

    @Test func anUnreachableModelSaysHowToGoOn() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await windflow(["design", "anything", "--db", directory.appendingPathComponent("db.sqlite").path,
                                         "--provider", "openai", "--base-url", "http://127.0.0.1:9", "--timeout", "5"],
                                        environment: ["OPENAI_API_KEY": "sk-do-not-print-me-123456"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--provider offline") && result.stderr.contains("cannot reach"))
        #expect(!(result.stdout + result.stderr).contains("sk-do-not-print-me"))
    }

    @Test func templatesAreSearchedWithReasons() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let found = try await windflow(["templates", "search", "renew tls certificates", "--db", directory.appendingPathComponent("db.sqlite").path])
        #expect(found.status == 0)
        #expect(found.stdout.split(separator: "\n").first?.contains("template certificate-renewal") == true, "\(found.stdout)")
        #expect(found.stdout.contains("matches 'cert'"))
    }

    @Test func aFailedRunGetsASuggestionThatApplies() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("db.sqlite").path
        let file = directory.appendingPathComponent("greet.yaml")
        try "name: greet\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: say, type: integration.script, configuration: {script: \"ech hi\"}}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let failed = try await windflow(["run", file.path, "--db", db])
        #expect(failed.status == 1)
        let execution = try #require(failed.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let suggested = try await windflow(["suggest", "fix", execution, "--db", db])
        #expect(suggested.status == 0 && suggested.stdout.contains("Run 'echo' instead of 'ech'"), "\(suggested.stdout) \(suggested.stderr)")
        let id = try #require(suggested.stdout.split(separator: " ").first.map(String.init))
        let applied = try await windflow(["suggest", "apply", id, "--db", db])
        #expect(applied.stdout.contains("greet version 2"), "\(applied.stderr)")
        let listed = try await windflow(["suggest", "list", "--db", db])
        #expect(listed.stdout.contains("applied") && listed.stdout.contains("command_not_found"))
    }

    @Test func evalReportsEveryCase() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report.md").path
        let result = try await windflow(["eval", "Evals/design-cases.yaml", "--only", "nightly", "--out", report])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("| valid after 0 repairs |") && result.stdout.contains("| nightly-db-backup |"))
        let written = try String(contentsOfFile: report, encoding: .utf8)
        #expect(written.contains("| nightly-db-backup |") && written.contains("| valid after 0 repairs |"), "the --out report holds the figures")
    }
}

@Suite(.serialized)
struct ExplainCommandTests {
    @Test func aWorkflowIsExplainedFromItsGraph() async throws {
        let result = try await windflow(["explain", "Templates/seed-auto-scaling.yaml", "--db", FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(UUID().uuidString).sqlite").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Intelligent Auto-Scaling starts on the schedule */5 * * * * (UTC)"))
        #expect(result.stdout.contains("analyze_load: Condition") && result.stdout.contains("true → scale_up"))
        #expect(result.stdout.contains("note: uses the secrets SLACK_WEBHOOK_URL"))
    }
}
