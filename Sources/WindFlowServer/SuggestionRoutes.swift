import Foundation
import Hummingbird
import WindFlowCore
import WindFlowDesigner
import WindFlowStore

/// `/api/v1/executions/{id}/suggestions` (fix suggestions for a failed run), `/api/v1/suggestions` (list, get, apply).
struct SuggestionRoutes {
    let routes: APIRoutes
    let setup: DesignerSetup
    var store: any WindFlowStorage { routes.store }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("executions/:id/suggestions") { _, context in
            let id = context.parameters.get("id") ?? ""
            let advice: FixAdvisor.Advice
            do {
                advice = try await FixAdvisor(store: store, designer: try setup.designer(store: store), clock: routes.clock).suggest(for: id)
            } catch let error as LLMError {
                return ServiceResponse.problem(.badGateway, "The model could not be used", detail: error.message)
            } catch {
                return ServiceResponse.problem(.conflict, "No fix to suggest", detail: "\(error)")
            }
            return ServiceResponse.json([
                "suggestions": .array(advice.offered.map(\.jsonValue)),
                "dropped": .array(advice.dropped.map { ["title": .string($0.title), "reason": .string($0.reason)] }),
            ], status: .created)
        }
        api.post("workflows/:id/optimizations") { _, context in
            let analysis: Optimizer.Analysis
            do { analysis = try await Optimizer(store: store, clock: routes.clock).analyse(context.parameters.get("id") ?? "") } catch {
                return ServiceResponse.problem(.notFound, "No such workflow", detail: "\(error)")
            }
            return ServiceResponse.json([
                "critical_path": .array(analysis.criticalPath.map { .string($0) }), "critical_path_ms": .double(analysis.criticalPathMs.rounded()),
                "suggestions": .array(analysis.offered.map(\.jsonValue)),
                "dropped": .array(analysis.dropped.map { ["title": .string($0.title), "reason": .string($0.reason)] }),
            ], status: .created)
        }
        api.get("suggestions") { request, _ in
            var workflow: String?
            if let name = request.uri.queryParameters.get("workflow") { workflow = try await store.workflow(String(name), version: nil)?.id }
            let execution = request.uri.queryParameters.get("execution").map { String($0) }
            return ServiceResponse.json(.array(try await store.suggestions(workflow: workflow, execution: execution, limit: 50).map(\.jsonValue)))
        }
        api.get("suggestions/:id") { _, context in
            guard let suggestion = try await store.suggestion(context.parameters.get("id") ?? "") else { return ServiceResponse.problem(.notFound, "No such suggestion") }
            var value = suggestion.jsonValue
            if let outcome = try await store.outcome(of: suggestion), case .object(var object) = value {
                object["outcome"] = ["succeeded": .int(outcome.succeeded), "finished": .int(outcome.finished)]
                value = .object(object)
            }
            return ServiceResponse.json(value)
        }
        api.post("suggestions/:id/apply") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard try await store.suggestion(id) != nil else { return ServiceResponse.problem(.notFound, "No such suggestion") }
            do {
                let saved = try await FixAdvisor(store: store, clock: routes.clock).apply(id)
                    return ServiceResponse.json(["workflow_id": .string(saved.id), "name": .string(saved.name), "version": .int(saved.version)], status: .created)
            } catch {
                return ServiceResponse.problem(.conflict, "Cannot apply", detail: "\(error)")
            }
        }
    }
}
