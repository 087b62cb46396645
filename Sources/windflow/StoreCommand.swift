import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowStore

/// `windflow store copy`: moves a whole store between SQLite and PostgreSQL (or between two of either).
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move a store: copy everything from an SQLite file to PostgreSQL, or back.",
        subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every record of one store into another, and check the counts.",
            discussion: """
                Copies workflows with every version, executions with their events, node runs, logs and timers, the queue, \
                schedules, proposals, suggestions, model calls, stacks, secrets and API keys (the keys in use keep working), \
                then the per-node statistics and the feed as they are. The source is read from one snapshot, so it may stay in \
                use; stop the processes that use the target. Each table's count is compared after the copy; on PostgreSQL a \
                failed copy leaves the target as it was (one transaction), on SQLite too.

                Example: windflow store copy --from sqlite:/var/lib/windflow/windflow.sqlite --to postgres://windflow@db:5432/windflow
                """)

        @Option(help: "The store to read: sqlite:PATH (or a plain path) or a postgres:// URL.") var from: String
        @Option(help: "The store to write: sqlite:PATH (or a plain path) or a postgres:// URL. It must hold no records, unless --overwrite.") var to: String
        @Flag(help: "Delete everything the target holds before copying.") var overwrite = false
        @Option(help: "Rows per insert (1–10000).") var batch = 500

        func validate() throws {
            guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 10000, not \(batch)") }
            guard Self.location(from) != Self.location(to) else { throw ValidationError("--from and --to name the same store") }
        }

        /// `sqlite:PATH` is PATH; anything else is as given (`postgres://…`, a path).
        static func location(_ text: String) -> String {
            text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        }

        func run() async throws {
            let source = try StoreOptions.parse(["--db", Self.location(from)])
            let target = try StoreOptions.parse(["--db", Self.location(to)])
            if !source.resolvedPath.contains("://"), !FileManager.default.fileExists(atPath: source.resolvedPath) {
                throw CLIError("there is no SQLite file at \(source.resolvedPath) to copy from")
            }
            let (reader, writer) = (try await source.openStore(), try await target.openStore())
            writeLine("copying \(source.displayedLocation) → \(target.displayedLocation)")
            let clock = Stopwatch()
            let counts: StoreCopy.Counts
            do {
                counts = try await StoreCopy.run(from: reader, to: writer, overwrite: overwrite, batch: batch)
            } catch {
                throw CLIError("\(error); the target was left as it was")
            }
            for (table, rows) in counts where rows > 0 { writeLine("  \(table): \(rows)") }
            let total = counts.reduce(0) { $0 + $1.rows }
            writeLine("copied \(total) rows in \(counts.count) tables in \(String(format: "%.1f", clock.seconds)) s; every table's count matches the source")
        }
    }
}
