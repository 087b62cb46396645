import CLibPQ
import Foundation
import GRDB
import WindFlowCore
import WindFlowStore

/// `integration.database`: SQL on SQLite (a file) or PostgreSQL (libpq), with parameters **bound**, never spliced into
/// the SQL. Rows come back as objects (at most `max_rows`), with the columns, the row count and the rows changed.
struct DatabaseExecutor: NodeExecutor {
    /// Each statement's rows, changes and columns.
    struct Result {
        var rows: [JSONValue] = []
        var columns: [String] = []
        var affected = 0
        var truncated = false
    }

    func execute(_ context: NodeContext) async -> NodeOutcome {
        guard let driver = context.input["driver"]?.stringValue, let connection = context.input["connection"]?.stringValue,
            let query = context.input["query"]?.stringValue
        else { return .failed(NodeFailure(.validation, "driver, connection and query are required", retryable: false)) }
        let parameters = context.input["parameters"]?.arrayValue ?? []
        let maxRows: Int, transaction: Bool
        do throws(ParameterError) {
            (maxRows, transaction) = (try context.parameters.int("max_rows"), try context.parameters.bool("transaction"))
        } catch {
            return .failed(NodeFailure(error))
        }
        let outcome: Swift.Result<Result, NodeFailure>
        switch driver {
        case "sqlite":
            // SQLite blocks: it runs on a thread of its own, never on Swift's shared pool, and is interrupted on cancel.
            outcome = await Self.onThread { interrupt in
                Self.sqlite(path: connection, query: query, parameters: parameters, maxRows: maxRows, transaction: transaction,
                            interrupt: interrupt)
            }
        case "postgresql":
            outcome = await PostgresConnection.run(connection, query: query, parameters: parameters, maxRows: maxRows, transaction: transaction)
        default: return .failed(NodeFailure(.validation, "driver must be sqlite or postgresql", retryable: false))
        }
        switch outcome {
        case .failure(let failure): return .failed(failure)
        case .success(let result):
            var output: [String: JSONValue] = [
                "rows": .array(result.rows), "row_count": .int(result.rows.count), "affected_rows": .int(result.affected),
                "columns": .array(result.columns.map(JSONValue.string)),
            ]
            if result.truncated { output["truncated"] = true }
            return .succeeded(.object(output), branch: nil)
        }
    }

    /// Runs `work` on a new thread; cancelling the task calls the interrupt `work` registered.
    static func onThread(_ work: @escaping @Sendable (InterruptHandle) -> Swift.Result<Result, NodeFailure>) async -> Swift.Result<Result, NodeFailure> {
        let interrupt = InterruptHandle()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: work(interrupt)) }
                thread.name = "windflow-sqlite"
                thread.start()
            }
        } onCancel: {
            interrupt.fire()
        }
    }

    static func sqlite(path: String, query: String, parameters: [JSONValue], maxRows: Int, transaction: Bool,
                       interrupt: InterruptHandle = InterruptHandle()) -> Swift.Result<Result, NodeFailure> {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            interrupt.set { queue.interrupt() }
            let arguments = StatementArguments(parameters.map(databaseValue))
            let work = { (db: Database) throws -> Result in
                var result = Result()
                let statements = try db.allStatements(sql: query, arguments: arguments)
                while let statement = try statements.next() {
                    if statement.isReadonly {
                        result.columns = statement.columnNames
                        result.rows = []
                        let cursor = try Row.fetchCursor(statement)
                        while let row = try cursor.next() {
                            guard result.rows.count < maxRows else { result.truncated = true; break }
                            var object: [String: JSONValue] = [:]
                            for (column, value) in row { object[column] = JSONValue(value) }
                            result.rows.append(.object(object))
                        }
                    } else {
                        try statement.execute()
                        result.affected += db.changesCount
                    }
                }
                return result
            }
            return .success(transaction ? try queue.write(work) : try queue.writeWithoutTransaction(work))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            return .failure(NodeFailure(.cancelled, "the query was interrupted"))
        } catch let error as DatabaseError {
            let retryable = error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            return .failure(NodeFailure(retryable ? .connection : .validation, "SQLite: \(error.message ?? "\(error.resultCode)")",
                                        retryable: retryable, details: FailureDetails(errorClass: FailureClass(rawValue: "\(error.extendedResultCode)"))))
        } catch {
            return .failure(NodeFailure(.validation, "SQLite: \(error)", retryable: false))
        }
    }

    static func databaseValue(_ value: JSONValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .int(let number): return number
        case .double(let number): return number
        case .string(let text): return text
        case .array, .object: return value.jsonText
        }
    }
}

/// One short-lived libpq connection per node attempt, on a thread of its own: libpq blocks, and blocking must never
/// happen on Swift's cooperative pool. Cancelling the task sends PostgreSQL a cancel request.
enum PostgresConnection {
    static func run(_ conninfo: String, query: String, parameters: [JSONValue], maxRows: Int, transaction: Bool) async
        -> Swift.Result<DatabaseExecutor.Result, NodeFailure>
    {
        let canceller = PostgresCanceller()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: perform(conninfo, query: query, parameters: parameters, maxRows: maxRows,
                                                           transaction: transaction, canceller: canceller))
                }
                thread.name = "windflow-postgres"
                thread.start()
            }
        } onCancel: {
            canceller.cancel()
        }
    }

    private static func perform(
        _ given: String, query: String, parameters: [JSONValue], maxRows: Int, transaction: Bool, canceller: PostgresCanceller
    ) -> Swift.Result<DatabaseExecutor.Result, NodeFailure> {
        // A connection attempt that never answers must not hold the thread forever.
        var conninfo = given
        if !given.contains("connect_timeout") {
            if given.hasPrefix("postgres://") || given.hasPrefix("postgresql://") {
                conninfo += given.contains("?") ? "&connect_timeout=10" : "?connect_timeout=10"
            } else {
                conninfo += " connect_timeout=10"
            }
        }
        guard let connection = PQconnectdb(conninfo) else { return .failure(NodeFailure(.internal, "libpq could not allocate a connection")) }
        defer { PQfinish(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(NodeFailure(.connection, "PostgreSQL: \(message)", retryable: true,
                                        details: FailureDetails(errorClass: FailureClass(rawValue: "connection_failed"))))
        }
        canceller.attach(connection)
        defer { canceller.detach() }
        func exec(_ sql: String, _ values: [JSONValue]) -> Swift.Result<DatabaseExecutor.Result, NodeFailure> {
            let texts: [String?] = values.map { value in
                switch value {
                case .null: return nil
                case .string(let text): return text
                default: return value.renderedText
                }
            }
            var pointers = texts.map { $0.flatMap { strdup($0) } }
            defer { pointers.forEach { free($0) } }
            let result = pointers.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(1, buffer.count)) { values in
                    PQexecParams(connection, sql, Int32(texts.count), nil, texts.isEmpty ? nil : values, nil, nil, 0)
                }
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK:
                var output = DatabaseExecutor.Result()
                let columns = Int(PQnfields(result))
                output.columns = (0..<columns).map { String(cString: PQfname(result, Int32($0))) }
                let count = Int(PQntuples(result))
                output.truncated = count > maxRows
                for row in 0..<min(count, maxRows) {
                    var object: [String: JSONValue] = [:]
                    for column in 0..<columns {
                        if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                            object[output.columns[column]] = .null
                            continue
                        }
                        let text = String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                        object[output.columns[column]] = typed(text, oid: PQftype(result, Int32(column)))
                    }
                    output.rows.append(.object(object))
                }
                return .success(output)
            case PGRES_COMMAND_OK:
                var output = DatabaseExecutor.Result()
                output.affected = Int(String(cString: PQcmdTuples(result))) ?? 0
                return .success(output)
            default:
                if canceller.wasCancelled { return .failure(NodeFailure(.cancelled, "the query was cancelled")) }
                let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
                let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
                // Class 08 (connection) and 40 (serialization, deadlock) are worth a retry.
                let retryable = state.hasPrefix("08") || state.hasPrefix("40")
                return .failure(NodeFailure(retryable ? .connection : .validation, "PostgreSQL: \(message)\(state.isEmpty ? "" : " [\(state)]")",
                                            retryable: retryable, details: FailureDetails(errorClass: state.isEmpty ? nil : FailureClass(rawValue: "SQLSTATE " + state))))
            }
        }
        if transaction, case .failure(let failure) = exec("BEGIN", []) { return .failure(failure) }
        let result = exec(query, parameters)
        if transaction {
            if case .failure = result {
                _ = exec("ROLLBACK", [])
            } else if case .failure(let failure) = exec("COMMIT", []) {
                return .failure(failure)
            }
        }
        return result
    }

    /// A column's text as a JSON value by its type: integers, floats and numerics as numbers, booleans, JSON parsed.
    static func typed(_ text: String, oid: Oid) -> JSONValue {
        switch oid {
        case 20, 21, 23: return Int(text).map(JSONValue.int) ?? .string(text)
        case 700, 701, 1700: return Double(text).map(JSONValue.double) ?? .string(text)
        case 16: return .bool(text == "t")
        case 114, 3802: return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        default: return .string(text)
        }
    }
}

/// Sends a cancel request for the query running on a connection.
final class PostgresCanceller: @unchecked Sendable {
    // Safe: `cancel` handle and flags are only touched while holding `lock`.
    private let lock = NSLock()
    private var handle: OpaquePointer?
    private var cancelled = false

    var wasCancelled: Bool { lock.withLock { cancelled } }

    func attach(_ connection: OpaquePointer) {
        lock.withLock {
            handle = PQgetCancel(connection)
            if cancelled { sendLocked() }
        }
    }

    func detach() {
        lock.withLock {
            if let handle { PQfreeCancel(handle) }
            handle = nil
        }
    }

    func cancel() {
        lock.withLock {
            cancelled = true
            sendLocked()
        }
    }

    private func sendLocked() {
        guard let handle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &buffer, 256)
    }
}

/// Lets a cancellation reach work running on another thread.
final class InterruptHandle: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?
    private var fired = false

    func set(_ action: @escaping @Sendable () -> Void) {
        let fireNow = lock.withLock { () -> Bool in
            self.action = action
            return fired
        }
        if fireNow { action() }
    }

    func fire() {
        let action = lock.withLock { () -> (@Sendable () -> Void)? in
            fired = true
            return self.action
        }
        action?()
    }
}
