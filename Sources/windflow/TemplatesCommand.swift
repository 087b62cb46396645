import ArgumentParser
import Foundation
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates", abstract: "Browse the workflow templates, or find the ones that fit a request.",
        subcommands: [List.self, Search.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every template, with its description.")
        @Option(name: .customLong("templates-dir"), help: "A folder of templates instead of the bundled ones.") var directory: String?

        func run() async throws {
            for entry in try TemplateCatalog(directory: directory).entries {
                writeLine("\(entry.id)\n  \(entry.workflow.description)")
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Templates and stored workflows ranked for a request (text relevance weighted by their success in history).")
        @Argument(help: "What you want to automate.") var query: String
        @Option var limit = 5
        @Option(help: "text or json.") var format: OutputFormat = .text
        @Option(name: .customLong("templates-dir"), help: "A folder of templates instead of the bundled ones.") var directory: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let database = try await store.openStore()
            let recommender = await TemplateRecommender(
                candidates: TemplateRecommender.candidates(catalog: try TemplateCatalog(directory: directory), workflows: try database.workflows(activeOnly: false).map(\.workflow)),
                history: try await database.successCounts())
            let found = recommender.recommend(query, limit: limit)
            if format == .json { return writeLine(JSONValue.array(found.map(RecommendationPresenter.json)).prettyJSONText) }
            if found.isEmpty { return writeLine("nothing matches; try other words, or: windflow design \"\(query)\"") }
            for recommendation in found {
                writeLine("\(String(format: "%5.2f", recommendation.score))  \(recommendation.source) \(recommendation.id)\n       \(recommendation.reason)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A template's YAML.")
        @Argument(help: "The template id (file name without .yaml).") var id: String
        @Option(name: .customLong("templates-dir"), help: "A folder of templates instead of the bundled ones.") var directory: String?

        func run() async throws {
            guard let entry = try TemplateCatalog(directory: directory).entry(id) else { throw CLIError("there is no template '\(id)'; see windflow templates list") }
            writeLine(entry.yaml.trimmingCharacters(in: .newlines))
        }
    }
}

enum RecommendationPresenter {
    static func json(_ recommendation: TemplateRecommender.Recommendation) -> JSONValue { recommendation.jsonValue }
}
