import WindFlowCore

/// Copies a whole store into another (SQLite → PostgreSQL when a team outgrows one machine, and back): workflows
/// with every version, executions with their events, node runs, logs and timers, the queue, schedules, proposals,
/// suggestions, model calls, stacks, secrets and API keys (their hashes: the keys in use keep working), then the
/// statistics and the feed as they are. Read from one snapshot of the source, checked table by table afterwards.
public enum StoreCopy {
    /// Rows copied, per table, in copy order.
    public typealias Counts = [(table: String, rows: Int)]

    /// Copies `source` into `target`. The target must hold no records unless `overwrite`, which deletes what it
    /// holds first (in the copy's transaction: on PostgreSQL a failed copy leaves the target as it was).
    /// - Throws: ``StoreError`` saying what went wrong: a target that is not empty, a column the target lacks (it
    ///   runs an older WindFlow), a table whose count differs after the copy.
    public static func run(from source: any StoreTransfer, to target: any StoreTransfer, overwrite: Bool, batch: Int = 500,
                           progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> Counts {
        let tally = Tally()
        try await target.writeCopy { writer in
            var held: Counts = []
            for table in StoreTables.records {
                let rows = try await writer.count(table)
                if rows > 0 { held.append((table, rows)) }
            }
            if !held.isEmpty {
                guard overwrite else {
                    throw StoreError("the target already holds \(describe(held)): copy into an empty store, or pass --overwrite to replace everything it holds")
                }
                for table in StoreTables.all.reversed() { try await writer.deleteAll(from: table) }
            }
            try await source.readSnapshot { reader in
                for table in StoreTables.all {
                    let missing = Set(try await reader.columns(of: table)).subtracting(try await writer.columns(of: table))
                        .subtracting(StoreTables.backendColumns[table] ?? [])
                    if !missing.isEmpty {
                        throw StoreError("the target's table \(table) has no column \(missing.sorted().joined(separator: ", ")): "
                                         + "it was made by an older WindFlow; open it once with this version (it migrates), then copy again")
                    }
                }
                for table in StoreTables.records { try await copy(table, reader, writer, batch: batch, progress: progress) }
                for table in StoreTables.derived {
                    try await writer.deleteAll(from: table)
                    try await copy(table, reader, writer, batch: batch, progress: progress)
                }
                for table in StoreTables.all {
                    let (read, written) = (try await reader.count(table), try await writer.count(table))
                    guard read == written else {
                        throw StoreError("the copy of table \(table) holds \(written) rows where the source has \(read): nothing was kept")
                    }
                    await tally.add(table, read)
                }
            }
        }
        return await tally.counts
    }

    private static func copy(_ table: String, _ reader: any StoreRowReader, _ writer: any StoreRowWriter, batch: Int,
                             progress: @escaping @Sendable (String, Int) -> Void) async throws {
        let copied = Tally()
        let left = (StoreTables.backendColumns[table] ?? []).subtracting(try await writer.columns(of: table))
        try await reader.rows(of: table, batch: batch) { rows in
            try await writer.insert(left.isEmpty ? rows : rows.map { $0.filter { !left.contains($0.key) } }, into: table)
            progress(table, await copied.add(table, rows.count))
        }
    }

    /// "3 workflow rows, 120 execution rows".
    static func describe(_ counts: Counts) -> String {
        counts.map { "\($0.rows) \($0.table) row\($0.rows == 1 ? "" : "s")" }.joined(separator: ", ")
    }

    private actor Tally {
        var counts: Counts = []

        @discardableResult
        func add(_ table: String, _ rows: Int) -> Int {
            if let index = counts.firstIndex(where: { $0.table == table }) {
                counts[index].rows += rows
                return counts[index].rows
            }
            counts.append((table, rows))
            return rows
        }
    }
}
