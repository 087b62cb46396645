import Foundation
import WindFlowCore

/// Workflows as JSON documents that RFC 6902 patches address (`/workflow/nodes/2/timeout`), and the check every
/// suggestion must pass: the patched workflow reads and validates.
public enum WorkflowPatcher {
    /// The canonical JSON document of `workflow`.
    public static func document(_ workflow: Workflow, registry: NodeRegistry = .standard) -> JSONValue {
        WorkflowCodec.jsonValue(workflow, registry: registry)
    }

    /// The pointer of node `index`.
    public static func node(_ index: Int) -> String { "/workflow/nodes/\(index)" }

    /// `workflow` with `patch` applied, validated.
    /// - Throws: ``DesignError`` saying why the patch cannot be offered: it does not apply, or the result has problems.
    public static func apply(_ patch: JSONPatch, to workflow: Workflow, registry: NodeRegistry = .standard) throws -> Workflow {
        guard !patch.operations.isEmpty else { throw DesignError("the patch is empty") }
        let patched: JSONValue
        do { patched = try patch.apply(to: document(workflow, registry: registry)) } catch { throw DesignError("the patch does not apply: \(error)") }
        let loaded: LoadedWorkflow
        do { loaded = try WorkflowCodec.load(patched.jsonText) } catch { throw DesignError("the patched workflow cannot be read: \(error)") }
        let report = Validator(registry: registry).validate(loaded)
        guard report.isValid else {
            throw DesignError("the patched workflow is not valid: " + report.errors.prefix(3).map(\.description).joined(separator: "; "))
        }
        guard loaded.workflow != workflow else { throw DesignError("the patch changes nothing") }
        return loaded.workflow
    }
}
