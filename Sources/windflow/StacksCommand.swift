import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowStore

/// `windflow stacks`: stack files kept in the store (the deployment actions look there before --stacks-dir).
struct StacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stacks", abstract: "Keep stack files in the store, where deploy_stack and the other actions find them by name.",
        subcommands: [List.self, Show.self, Put.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The stored stacks.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let stacks = try await store.openStore().stacks()
            if stacks.isEmpty { writeLine("no stored stacks (windflow stacks put NAME FILE)") }
            for stack in stacks {
                writeLine("\(stack.name)  \(stack.definition.utf8.count) bytes  updated \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: stack.updatedAt)))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a stored stack file.")
        @Argument(help: "The stack's name.") var name: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let stack = try await store.openStore().stack(name) else { throw CLIError("there is no stored stack '\(name)' (windflow stacks list)") }
            print(stack.definition, terminator: stack.definition.hasSuffix("\n") ? "" : "\n")
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a stack file and store it under a name (replacing one of that name).",
            discussion: "Refused with its problems (and their lines) when it has errors; variables are filled at deployment, so a missing one is a warning.")
        @Argument(help: "The stack's name (stack_id in workflows).") var name: String
        @Argument(help: "The stack file (Compose subset, see docs/STACKS.md), or - for standard input.") var file: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard Stack.isValidName(name) else {
                throw CLIError("'\(name)' is not a stack name: use letters, digits, '-' and '_'")
            }
            let source = try WorkflowFile.read(file)
            let (stack, problems) = StackLoader.load(source.text, name: name, strict: false)
            for problem in problems {
                writeLine("\(source.name)\(problem.line.map { ":\($0)" } ?? ""): \(problem.severity.rawValue): \(problem.path): \(problem.message) [\(problem.code.rawValue)]")
            }
            guard stack != nil else { throw CLIError("\(source.name) has errors; nothing was stored") }
            let created = try await store.openStore().saveStack(name, definition: source.text, now: SystemClock().now())
            writeLine("\(created ? "stored" : "replaced") stack '\(name)'")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored stack file (what it deployed keeps running).")
        @Argument(help: "The stack's name.") var name: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard try await store.openStore().deleteStack(name) else { throw CLIError("there is no stored stack '\(name)'") }
            writeLine("deleted stack '\(name)'")
        }
    }
}
