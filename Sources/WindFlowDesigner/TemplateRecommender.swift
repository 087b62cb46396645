import Foundation
import WindFlowCore

/// Ranks templates and the user's own workflows for a prose request (or a partial workflow): BM25 over name, tags,
/// description and node types, weighted by how often workflows of that name succeeded in this store's history.
public struct TemplateRecommender: Sendable {
    public struct Candidate: Sendable {
        /// `template` or `workflow`.
        public var source: String
        public var id: String
        public var workflow: Workflow
    }

    public struct Recommendation: Sendable {
        public var source: String
        public var id: String
        public var name: String
        public var description: String
        /// The text relevance times the history factor.
        public var score: Double
        public var relevance: Double
        /// Finished runs of workflows with this name, and how many succeeded.
        public var runs: (succeeded: Int, finished: Int)?
        /// Which words matched, and what the history says.
        public var reason: String
        public var workflow: Workflow
    }

    private let candidates: [Candidate]
    private let documents: [[String: Int]]
    private let lengths: [Double]
    private let averageLength: Double
    private let documentFrequency: [String: Int]
    private let history: [String: (succeeded: Int, finished: Int)]

    /// - Parameter history: finished and succeeded runs by workflow name (``DesignerStore/successCounts()``).
    public init(candidates: [Candidate], history: [String: (succeeded: Int, finished: Int)] = [:]) {
        self.candidates = candidates
        self.history = history
        var documents: [[String: Int]] = []
        var frequency: [String: Int] = [:]
        for candidate in candidates {
            var terms: [String: Int] = [:]
            let workflow = candidate.workflow
            // Field weights by repetition: the name says most, then tags, then description and node types.
            for (text, weight) in [(workflow.name, 3), (workflow.tags.joined(separator: " "), 2), (workflow.description, 1),
                                   (workflow.nodes.map(\.type).joined(separator: " "), 1)] {
                for word in TextIndex.words(text) { terms[word, default: 0] += weight }
            }
            for term in terms.keys { frequency[term, default: 0] += 1 }
            documents.append(terms)
        }
        self.documents = documents
        lengths = documents.map { Double($0.values.reduce(0, +)) }
        averageLength = max(1, lengths.reduce(0, +) / Double(max(1, lengths.count)))
        documentFrequency = frequency
    }

    /// The templates of `catalog` and the stored workflows, as candidates.
    public static func candidates(catalog: TemplateCatalog, workflows: [Workflow]) -> [Candidate] {
        let templates = catalog.entries.map { Candidate(source: "template", id: $0.id, workflow: $0.workflow) }
        let names = Set(catalog.entries.map { $0.workflow.name })
        // A stored workflow that is a template's copy is ranked as that template (with its history).
        let own = workflows.filter { !names.contains($0.name) }.map { Candidate(source: "workflow", id: $0.name, workflow: $0) }
        return templates + own
    }

    /// The `limit` best candidates for `query`, best first; those with no word in common are left out.
    public func recommend(_ query: String, limit: Int = 5) -> [Recommendation] {
        let terms = Array(Set(TextIndex.words(query)))
        let count = Double(candidates.count)
        var results: [Recommendation] = []
        for (index, candidate) in candidates.enumerated() {
            let document = documents[index]
            var relevance = 0.0
            var matched: [String] = []
            for term in terms {
                guard let frequency = document[term] else { continue }
                let containing = Double(documentFrequency[term] ?? 0)
                let idf = log(1 + (count - containing + 0.5) / (containing + 0.5))
                let tf = Double(frequency)
                let k1 = 1.2, b = 0.75
                relevance += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[index] / averageLength))
                matched.append(term)
            }
            guard relevance > 0 else { continue }
            let runs = history[candidate.workflow.name]
            let factor = runs.map { 0.7 + 0.6 * Double($0.succeeded + 1) / Double($0.finished + 2) } ?? 1
            var reason = "matches " + matched.sorted().map { "'\($0)'" }.joined(separator: ", ")
            if let runs { reason += "; \(runs.succeeded) of \(runs.finished) runs succeeded" }
            results.append(Recommendation(
                source: candidate.source, id: candidate.id, name: candidate.workflow.name, description: candidate.workflow.description,
                score: relevance * factor, relevance: relevance, runs: runs, reason: reason, workflow: candidate.workflow))
        }
        return Array(results.sorted { $0.score > $1.score || $0.score == $1.score && $0.id < $1.id }.prefix(limit))
    }

    /// For a partial workflow: its name, description and node types as the query.
    public func recommend(similarTo workflow: Workflow, limit: Int = 5) -> [Recommendation] {
        recommend([workflow.name, workflow.description, workflow.tags.joined(separator: " "),
                   workflow.nodes.map(\.type).joined(separator: " ")].joined(separator: " "), limit: limit)
    }
}
