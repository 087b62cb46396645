extension NodeRegistry {
    /// The ways an execution starts.
    static let triggerTypes: [NodeType] = [
        NodeType(
            id: "trigger.manual", category: .trigger, displayName: "Manual trigger",
            summary: "Starts the workflow on demand, from the CLI, the API or the editor, with optional inputs.",
            icon: "hand",
            parameters: [
                ParameterSpec(
                    "inputs", .list(of: .object(manualInputFields)),
                    description: "The inputs a person is asked for when starting the run; each becomes trigger.NAME.",
                    example: [["name": "stack_id", "type": "string", "required": true]])
            ],
            hasDynamicOutputs: true, isTrigger: true),
        NodeType(
            id: "trigger.schedule", category: .trigger, displayName: "Schedule trigger",
            summary: "Starts the workflow on a cron schedule, in a time zone.", icon: "clock",
            parameters: [
                ParameterSpec(
                    "schedule", .cron, required: true,
                    description: "Cron expression: 5 fields (minute hour day month weekday), an optional leading "
                        + "seconds field, or @hourly, @daily, @weekly, @monthly, @yearly.",
                    example: "0 2 * * 0"),
                ParameterSpec(
                    "timezone", .timezone, default: "UTC",
                    description: "IANA time zone the schedule is read in; when omitted, the workflow's settings.timezone, else this default.",
                    example: "Europe/Paris"),
                ParameterSpec(
                    "allow_overlap", .boolean, default: false,
                    description: "Start a run even if the previous scheduled run is still going."),
                ParameterSpec(
                    "missed_runs", .string, default: "skip", allowed: ["skip", "run_once"],
                    description: "What to do with runs missed while the service was down."),
            ],
            outputs: [
                OutputField("scheduled_time", .string, "The time this run was scheduled for (ISO 8601)."),
                OutputField("fired_at", .string, "The time the run actually started (ISO 8601)."),
            ],
            isTrigger: true),
        NodeType(
            id: "trigger.webhook", category: .trigger, displayName: "Webhook trigger",
            summary: "Starts the workflow when an HTTP request arrives at its path; body fields become trigger.*.",
            icon: "link",
            parameters: [
                ParameterSpec(
                    "webhook_path", .string, required: true,
                    description: "The path under /webhooks that starts this workflow; starts with '/'.",
                    example: "/deploy"),
                ParameterSpec(
                    "method", .string, default: "POST", allowed: ["GET", "POST", "PUT", "PATCH", "DELETE"],
                    description: "The HTTP method accepted."),
                ParameterSpec(
                    "authentication", .string, default: "token", allowed: ["none", "token", "hmac", "basic"],
                    description: "How callers prove who they are: a shared token, an HMAC-SHA256 signature of the "
                        + "body, HTTP basic auth, or nothing."),
                ParameterSpec(
                    "token", .string,
                    description: "The shared token, for authentication: token; when omitted the service makes one "
                        + "and shows it once when the workflow is activated.",
                    example: "{{ secrets.DEPLOY_TOKEN }}", secret: true),
                ParameterSpec(
                    "token_header", .string, default: "X-WindFlow-Token",
                    description: "Header carrying the token (a `token` query parameter is accepted too)."),
                ParameterSpec(
                    "hmac_secret", .string, description: "Key for authentication: hmac.",
                    example: "{{ secrets.GITHUB_WEBHOOK_SECRET }}", secret: true),
                ParameterSpec(
                    "signature_header", .string, default: "X-Hub-Signature-256",
                    description: "Header carrying the signature, as `sha256=<hex>`."),
                ParameterSpec("username", .string, description: "User name, for authentication: basic."),
                ParameterSpec(
                    "password", .string, description: "Password, for authentication: basic.",
                    example: "{{ secrets.WEBHOOK_PASSWORD }}", secret: true),
                ParameterSpec(
                    "response_mode", .string, default: "async", allowed: ["async", "wait"],
                    description: "Answer 202 with the execution id at once, or wait for the run's result."),
                ParameterSpec(
                    "response_timeout", .duration, default: 30, min: 1, max: 3600,
                    description: "How long response_mode: wait waits before answering 202 anyway."),
                ParameterSpec(
                    "max_body_bytes", .integer, min: 0, max: 104_857_600,
                    description: "Larger bodies are refused with 413; when omitted, the server's max_body_bytes setting "
                        + "(1 MiB unless configured)."),
            ],
            outputs: [
                OutputField("body", .any, "The request body, parsed when it is JSON."),
                OutputField("query", .object, "The query parameters."),
                OutputField("headers", .object, "The request headers, names in lower case."),
                OutputField("method", .string, "The request method."),
                OutputField("path", .string, "The request path."),
            ],
            hasDynamicOutputs: true, isTrigger: true,
            requiredWhen: [
                ConditionalRequirement(when: "authentication", is: "hmac", requires: ["hmac_secret"]),
                ConditionalRequirement(when: "authentication", is: "basic", requires: ["username", "password"]),
            ]),
        NodeType(
            id: "trigger.event", category: .trigger, displayName: "Event trigger",
            summary: "Starts the workflow on a WindFlow event (execution.failed, workflow.activated, …) or an "
                + "event posted to the API.",
            icon: "bolt",
            parameters: [
                ParameterSpec(
                    "event", .string, required: true,
                    description: "The event name: execution.succeeded, execution.failed, execution.cancelled, "
                        + "workflow.activated, workflow.deactivated, or a custom name posted to the API.",
                    example: "execution.failed"),
                ParameterSpec(
                    "filter", .condition,
                    description: "Only fire when this is true; the event's fields are under trigger.",
                    example: "{{ trigger.workflow != 'alert-on-failure' }}"),
                ParameterSpec(
                    "workflow", .string, description: "Only fire for events about this workflow (by name)."),
            ],
            outputs: [
                OutputField("event", .string, "The event name."),
                OutputField("payload", .object, "The event's data."),
                OutputField("workflow", .string, "The workflow the event is about, if any."),
                OutputField("execution_id", .string, "The execution the event is about, if any."),
                OutputField("error", .string, "The error message, for execution.failed."),
                OutputField("failed_node", .string, "The node that failed, for execution.failed."),
                OutputField("occurred_at", .string, "When the event happened (ISO 8601)."),
            ],
            hasDynamicOutputs: true, isTrigger: true),
        NodeType(
            id: "trigger.file", category: .trigger, displayName: "File trigger",
            summary: "Starts the workflow when a file matching a path or glob is created, modified or deleted.",
            icon: "file",
            parameters: [
                ParameterSpec(
                    "path", .string, required: true, description: "A file, a directory, or a glob such as "
                        + "/data/inbox/*.csv.", example: "/data/inbox/*.csv"),
                ParameterSpec(
                    "events", .list(of: .string), default: ["created", "modified"],
                    allowed: ["created", "modified", "deleted"], description: "The changes that fire the trigger."),
                ParameterSpec(
                    "debounce", .duration, default: 2, min: 0, max: 3600,
                    description: "Changes to the same file within this time fire once."),
                ParameterSpec("recursive", .boolean, default: false, description: "Watch subdirectories too."),
                ParameterSpec(
                    "poll_interval", .duration, default: 5, min: 1, max: 3600,
                    description: "How often to look when the file system cannot notify."),
            ],
            outputs: [
                OutputField("path", .string, "The file that changed."),
                OutputField("event", .string, "created, modified or deleted."),
                OutputField("size", .integer, "Its size in bytes (0 when deleted)."),
                OutputField("modified_at", .string, "Its modification time (ISO 8601)."),
            ],
            isTrigger: true),
    ]

    private static let manualInputFields: [ParameterSpec] = [
        ParameterSpec("name", .string, required: true, description: "The input's name."),
        ParameterSpec(
            "type", .string, default: "string", allowed: ["string", "integer", "number", "boolean", "object", "list"],
            description: "The input's type."),
        ParameterSpec("required", .boolean, default: false, description: "Whether the input must be given."),
        ParameterSpec("default", .any, description: "Its value when not given."),
        ParameterSpec("description", .string, description: "What the input is for."),
    ]
}
