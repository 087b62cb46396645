import WindFlowCore

/// A large, realistic workflow: a webhook, then blocks of an HTTP call, a condition whose two branches run a script
/// and a notification, a merge, and a deployment, each reading earlier outputs through expressions.
enum GeneratedWorkflow {
    static func make(nodes target: Int) -> Workflow {
        var nodes = [WorkflowNode(id: "trigger", type: "trigger.webhook", configuration: ["webhook_path": "/bench", "authentication": "none"])]
        var edges: [Edge] = []
        var previous = "trigger"
        var block = 0
        while nodes.count + 6 <= target {
            let fetch = "fetch_\(block)", check = "check_\(block)", process = "process_\(block)"
            let notify = "notify_\(block)", join = "join_\(block)", deploy = "deploy_\(block)"
            let upstreamID = previous == "trigger" ? "trigger.id" : "\(previous).stack_id"
            nodes.append(WorkflowNode(id: fetch, type: "integration.http", configuration: [
                "url": .string("{{ trigger.base_url }}/items/{{ \(upstreamID) }}"),
                "headers": ["Authorization": "Bearer {{ secrets.API_TOKEN }}"], "expected_status": [200, 204], "timeout": 10,
            ], retryCount: 2))
            nodes.append(WorkflowNode(id: check, type: "logic.condition", configuration: [
                "condition": .string("{{ \(fetch).status == 200 and (\(fetch).body.count | default(0)) > 3 }}"),
            ]))
            nodes.append(WorkflowNode(id: process, type: "integration.script", configuration: [
                "script": "echo processing\necho count=$COUNT >> $WINDFLOW_OUTPUT",
                "env": ["COUNT": .string("{{ \(fetch).body.count }}")],
            ]))
            nodes.append(WorkflowNode(id: notify, type: "integration.notification", configuration: [
                "channels": ["log"], "message": .string("skipped {{ \(fetch).status }} at {{ execution.id }}"),
            ]))
            nodes.append(WorkflowNode(id: join, type: "logic.merge", configuration: ["mode": "first"]))
            nodes.append(WorkflowNode(id: deploy, type: "windflow.deploy_stack", configuration: [
                "stack_id": "{{ trigger.stack_id | lower }}", "environment": "staging", "wait_for_healthy": true,
            ]))
            edges += [
                Edge(source: previous, target: fetch), Edge(source: fetch, target: check),
                Edge(source: check, target: process, branch: "true"), Edge(source: check, target: notify, branch: "false"),
                Edge(source: process, target: join), Edge(source: notify, target: join), Edge(source: join, target: deploy),
            ]
            previous = deploy
            block += 1
        }
        let lastDeploy = previous
        while nodes.count < target {
            let id = "tail_\(nodes.count)"
            nodes.append(WorkflowNode(id: id, type: "logic.stop", configuration: ["message": .string("done after {{ \(lastDeploy).stack_id }}")]))
            edges.append(Edge(source: previous, target: id))
            previous = id
        }
        return Workflow(name: "Generated \(target)-node workflow", nodes: nodes, edges: edges)
    }
}
