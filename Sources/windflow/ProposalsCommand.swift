import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

struct ProposalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposals", abstract: "List, show, accept or discard the designer's proposals.",
        subcommands: [List.self, Show.self, Accept.self, Discard.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest proposals first.")
        @Option var limit = 20
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let proposals = try await store.openStore().proposals(limit: limit)
            if format == .json { return writeLine(JSONValue.array(proposals.map(ProposalPresenter.json)).prettyJSONText) }
            if proposals.isEmpty { return writeLine("no proposals yet: windflow design \"…\"") }
            for proposal in proposals {
                writeLine("\(proposal.id)  \(proposal.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(proposal.valid ? "valid  " : "invalid")  \(proposal.workflowName)  (\(proposal.provider))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A proposal: its workflow, validation, rounds and assumptions.")
        @Argument(help: "The proposal id (or a unique prefix).") var id: String
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let proposal = try await store.openStore().proposal(id) else { throw CLIError("there is no proposal '\(id)'") }
            writeLine(format == .json ? ProposalPresenter.json(proposal).prettyJSONText : ProposalPresenter.text(proposal, showDefinition: true))
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a valid proposal a new workflow version.")
        @Argument(help: "The proposal id (or a unique prefix).") var id: String
        @Flag(help: "Also activate the workflow, so its triggers fire.") var activate = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            let proposals = await Proposals(store: database, designer: try DesignerSetup.offline().designer(store: nil))
            do {
                let saved = try await proposals.accept(id, activate: activate)
                writeLine("accepted: \(saved.name) version \(saved.version)\(saved.active ? ", active" : "") (\(saved.id))")
            } catch { throw CLIError("\(error)") }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a proposal aside without using it.")
        @Argument(help: "The proposal id (or a unique prefix).") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            do {
                try await Proposals(store: database, designer: try DesignerSetup.offline().designer(store: nil)).discard(id)
                writeLine("discarded")
            } catch { throw CLIError("\(error)") }
        }
    }
}
