import Foundation
import WindFlowCore
import WindFlowStore

/// Times bare store commits shaped like one node transition, to separate the store's cost from the engine's.
enum CommitProbe {
    static func run() throws -> Double {
        let (store, directory) = try EngineBenchmarks.scratchStore("probe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let workflow = try store.saveWorkflow(Workflow(name: "probe", nodes: [WorkflowNode(id: "start", type: "trigger.manual")]), now: 0)
        let record = try store.enqueueExecution(workflow: workflow, triggerNode: "start", input: [:], now: 0)
        let count = 2000
        let started = Date()
        for index in 0..<count {
            var transition = Transition(event: "{\"type\":\"node_finished\",\"node\":\"n\(index)\",\"attempt\":1,\"outcome\":{\"status\":\"succeeded\",\"output\":{\"result\":true}},\"at\":1}")
            transition.sequence = index + 1
            transition.nodeRuns = [
                NodeRunRecord(nodeKey: "n\(index)", nodeID: "n\(index)", nodeType: "logic.condition", attempt: 1, status: .succeeded,
                              input: ["condition": true], output: ["result": true], startedAt: 1, finishedAt: 1, durationMS: 0.01),
            ]
            try store.commit(transition, execution: record.id, workflowID: record.workflowID)
        }
        return Date().timeIntervalSince(started) / Double(count) * 1000
    }
}
