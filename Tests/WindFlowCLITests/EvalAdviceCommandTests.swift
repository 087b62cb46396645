import Foundation
import TestSupport
import Testing

/// `windflow eval-advice` on the whole failure corpus, with the peers scripts/test.sh started (the S3-compatible
/// server, dockerd) and a PostgreSQL of this test's own: the offline figures docs/ADVICE.md reports, held in CI.
@Suite(.serialized)
struct EvalAdviceCommandTests {
    @Test func theRulesCoverTheFailureCorpus() async throws {
        let postgres = try await PostgresServer.start()
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("eval-advice-\(UUID().uuidString).md").path
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try await windflow(["eval-advice", "Evals/failure-cases.yaml", "--out", report, "--require-coverage", "90", "--require-top1", "75"],
                                        environment: ["WINDFLOW_TEST_POSTGRES_URL": postgres.url], seconds: 600)
        #expect(result.status == 0, "below the issue's figures:\n\(result.stderr.suffix(3000))")
        let written = try String(contentsOfFile: report, encoding: .utf8)
        #expect(written.contains("| coverage (≥ 1 suggestion) |") && written.contains("| top-1 correct |"))
        let rows = written.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.split(separator: "|").count >= 6 && !$0.hasPrefix("| case ") && !$0.hasPrefix("| measure ") }
        #expect(rows.count >= 40, "at least 40 scenarios")
        // Every case either measured or skipped for a peer this run lacks — none broken.
        #expect(!rows.contains { $0.contains("the scenario should fail") || $0.contains("setup:") }, "\(rows.filter { $0.contains("should fail") || $0.contains("setup:") })")
        // Each case the rules are meant to cover, and that ran here, gets a correct top suggestion: a rule that
        // regresses fails its own case, not only the totals.
        let wrong = rows.filter { !$0.contains("skipped: needs") && !$0.contains("marked not covered yet") && !$0.contains("| yes / ") }
        #expect(wrong.isEmpty, "covered cases whose top suggestion is not correct: \(wrong)")
        // Every applied patch or done action that should fix the run does.
        let refixed = rows.filter { $0.contains(" | fails | ") }
        #expect(refixed.isEmpty, "runs still failing after the top suggestion: \(refixed)")
    }

    @Test func aBrokenCorpusIsALocatedError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-corpus-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "cases:\n  - id: a\n    workflow: \"name: x\"\n    expect: {fix: [{node: call, path: retry_count}]}\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try await windflow(["eval-advice", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("case 'a': expect.fix[0] needs one of equals, contains, lacks, at_least"), "\(result.stderr)")
    }
}
