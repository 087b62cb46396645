extension NodeRegistry {
    /// Calls to the outside world: HTTP, notifications, scripts, databases, git and monitoring.
    static let integrationTypes: [NodeType] = [
        NodeType(
            id: "integration.http", category: .integration, displayName: "HTTP request",
            summary: "Sends an HTTP request and checks the status; the body is parsed when it is JSON.",
            icon: "globe",
            parameters: [
                ParameterSpec(
                    "method", .string, default: "GET", allowed: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                    description: "The HTTP method."),
                ParameterSpec(
                    "url", .string, required: true, description: "The URL, http or https.",
                    example: "{{ deploy_staging.endpoint }}/health"),
                ParameterSpec("headers", .map(of: .string), description: "Request headers."),
                ParameterSpec("query", .map(of: .string), description: "Query parameters added to the URL."),
                ParameterSpec("body", .any, description: "The request body."),
                ParameterSpec(
                    "body_type", .string, default: "json", allowed: ["json", "text", "form"],
                    description: "How body is sent."),
                ParameterSpec("auth", .object(authFields), description: "Credentials, from secrets."),
                ParameterSpec(
                    "expected_status", .oneOf([.integer, .list(of: .integer), .string]), default: "200-299",
                    description: "A status, a list of them, or a range such as 200-299 or 2xx.", example: 200),
                ParameterSpec(
                    "timeout", .duration, default: 30, min: 0.1, max: 3600, description: "Request timeout."),
                ParameterSpec("follow_redirects", .boolean, default: true, description: "Follow 3xx redirects."),
                ParameterSpec(
                    "max_response_bytes", .integer, default: 10_485_760, min: 1, max: 1_073_741_824,
                    description: "Larger responses fail the request."),
            ],
            outputs: [
                OutputField("status", .integer, "The response status."),
                OutputField("headers", .object, "Response headers, names in lower case."),
                OutputField("body", .any, "The response body, parsed when JSON."),
                OutputField("elapsed_ms", .number, "How long the request took."),
            ]),
        NodeType(
            id: "integration.notification", category: .integration, displayName: "Send notification",
            summary: "Sends a message to Slack, Discord, Teams, a webhook, email or the run log; each result reported.",
            icon: "bell",
            parameters: [
                ParameterSpec(
                    "channels", .list(of: .string), required: true,
                    allowed: ["slack", "discord", "teams", "webhook", "email", "log"],
                    description: "Where to send.", example: ["slack", "email"]),
                ParameterSpec("message", .text, description: "The message; expressions allowed."),
                ParameterSpec(
                    "template", .string, description: "A named message template instead of message.",
                    example: "maintenance_report"),
                ParameterSpec("title", .string, description: "Title, or email subject when subject is not set."),
                ParameterSpec(
                    "attachments", .list(of: .string), description: "Files attached to the email.",
                    example: ["{{ backup_databases.backup_file }}"]),
                ParameterSpec(
                    "slack_webhook_url", .string, description: "Slack incoming-webhook URL.",
                    example: "{{ secrets.SLACK_WEBHOOK_URL }}", secret: true),
                ParameterSpec(
                    "discord_webhook_url", .string, description: "Discord webhook URL.",
                    example: "{{ secrets.DISCORD_WEBHOOK_URL }}", secret: true),
                ParameterSpec(
                    "teams_webhook_url", .string, description: "Microsoft Teams incoming-webhook URL.",
                    example: "{{ secrets.TEAMS_WEBHOOK_URL }}", secret: true),
                ParameterSpec("webhook_url", .string, description: "URL for the generic webhook channel (JSON POST)."),
                ParameterSpec("email", .object(emailFields), description: "Recipients and SMTP server for email."),
            ],
            requiresOneOf: [["message", "template"]],
            outputs: [
                OutputField("results", .list, "Per channel: channel, ok, error."),
                OutputField("sent", .integer, "Channels that succeeded."),
                OutputField("failed", .integer, "Channels that failed."),
            ],
            requiredWhen: [ConditionalRequirement(when: "channels", is: "webhook", requires: ["webhook_url"])]),
        NodeType(
            id: "integration.script", category: .integration, displayName: "Run script",
            summary: "Runs a bash, sh or python3 script; {{ }} values reach it as environment variables.",
            icon: "terminal",
            parameters: [
                ParameterSpec(
                    "script", .text, required: true, description: "The script. Write output fields as JSON or "
                        + "key=value lines to the file named by $WINDFLOW_OUTPUT.",
                    example: "echo \"Running tests...\"\nnpm test"),
                ParameterSpec(
                    "script_type", .string, default: "bash", allowed: ["bash", "sh", "python3"],
                    description: "The interpreter."),
                ParameterSpec("env", .map(of: .string), description: "Environment variables."),
                ParameterSpec("working_directory", .string, description: "Directory the script runs in."),
                ParameterSpec(
                    "retryable_exit_codes", .list(of: .integer), default: [], description: "Exit codes worth a retry.",
                    example: [75]),
                ParameterSpec(
                    "max_output_bytes", .integer, default: 1_048_576, min: 1024, max: 104_857_600,
                    description: "stdout and stderr are each cut at this size (the cut is recorded)."),
            ],
            outputs: [
                OutputField("exit_code", .integer, "The exit status."),
                OutputField("stdout", .string, "Standard output."),
                OutputField("stderr", .string, "Standard error."),
            ],
            hasDynamicOutputs: true),
        NodeType(
            id: "integration.database", category: .integration, displayName: "Database query",
            summary: "Runs SQL on SQLite or PostgreSQL with bound parameters.", icon: "database",
            parameters: [
                ParameterSpec(
                    "driver", .string, required: true, allowed: ["sqlite", "postgresql"], description: "The database."),
                ParameterSpec(
                    "connection", .string, required: true,
                    description: "A file path for sqlite; a connection string for postgresql.",
                    example: "{{ secrets.REPORTS_DB_URL }}"),
                ParameterSpec(
                    "query", .text, required: true, description: "SQL; write $1, $2… (or ?) for parameters.",
                    example: "SELECT status, count(*) FROM orders WHERE day = $1 GROUP BY status"),
                ParameterSpec(
                    "parameters", .list(of: .any), description: "Values bound to the query's placeholders, never "
                        + "spliced into it.", example: ["{{ trigger.day }}"]),
                ParameterSpec(
                    "transaction", .boolean, default: false, description: "Run every statement in one transaction."),
                ParameterSpec(
                    "max_rows", .integer, default: 1000, min: 1, max: 1_000_000, description: "Rows returned at most."),
            ],
            outputs: [
                OutputField("rows", .list, "Result rows as objects."),
                OutputField("row_count", .integer, "Rows returned."),
                OutputField("affected_rows", .integer, "Rows changed."),
                OutputField("columns", .list, "Column names."),
            ]),
        NodeType(
            id: "integration.git", category: .integration, displayName: "Git",
            summary: "Clones, pulls, checks out, tags, commits and pushes; reports commit, branch and changes.",
            icon: "git",
            parameters: [
                ParameterSpec(
                    "operation", .string, required: true,
                    allowed: ["clone", "pull", "checkout", "tag", "commit", "push", "status", "changed_files"],
                    description: "What to do."),
                ParameterSpec("repository", .string, description: "Repository URL, for clone.", example: "https://git.example.org/shop.git"),
                ParameterSpec("directory", .string, required: true, description: "The working copy."),
                ParameterSpec("branch", .string, description: "Branch to clone, check out or push."),
                ParameterSpec("ref", .string, description: "Commit or tag to check out."),
                ParameterSpec("tag", .string, description: "Tag name, for tag."),
                ParameterSpec("message", .string, description: "Commit or tag message."),
                ParameterSpec("files", .list(of: .string), description: "Files to commit; all changes when omitted."),
                ParameterSpec("base_ref", .string, description: "For changed_files: compare against this ref."),
                ParameterSpec("username", .string, description: "User for HTTPS remotes."),
                ParameterSpec(
                    "password", .string, description: "Password or token for HTTPS remotes.",
                    example: "{{ secrets.GIT_TOKEN }}", secret: true),
                ParameterSpec("author_name", .string, default: "WindFlow", description: "Commit author."),
                ParameterSpec(
                    "author_email", .string, default: "windflow@localhost", description: "Commit author email."),
            ],
            outputs: [
                OutputField("commit", .string, "The current commit sha."),
                OutputField("branch", .string, "The current branch."),
                OutputField("changed_files", .list, "Files changed."),
                OutputField("output", .string, "What git printed."),
            ],
            requiredWhen: [
                ConditionalRequirement(when: "operation", is: "clone", requires: ["repository"]),
                ConditionalRequirement(when: "operation", is: "tag", requires: ["tag"]),
                ConditionalRequirement(when: "operation", is: "commit", requires: ["message"]),
            ]),
        NodeType(
            id: "integration.monitoring", category: .integration, displayName: "Monitoring query",
            summary: "Reads a metric from a Prometheus endpoint or a Prometheus server's query API.", icon: "gauge",
            parameters: [
                ParameterSpec(
                    "source", .string, default: "prometheus_text", allowed: ["prometheus_text", "prometheus_query"],
                    description: "A /metrics endpoint to scrape, or a server's /api/v1/query."),
                ParameterSpec("url", .string, required: true, description: "The endpoint or server URL."),
                ParameterSpec(
                    "metric", .string, description: "Metric name, for prometheus_text.",
                    example: "http_requests_total"),
                ParameterSpec("labels", .map(of: .string), description: "Keep only samples with these labels."),
                ParameterSpec(
                    "query", .string, description: "PromQL, for prometheus_query.",
                    example: "rate(http_requests_total[5m])"),
                ParameterSpec(
                    "aggregate", .string, default: "sum", allowed: ["none", "sum", "avg", "max", "min"],
                    description: "How several samples become value."),
                ParameterSpec("timeout", .duration, default: 10, min: 0.1, max: 600, description: "Request timeout."),
            ],
            outputs: [
                OutputField("value", .number, "The aggregated value."),
                OutputField("values", .list, "Each sample with its labels and value."),
                OutputField("timestamp", .string, "When the value was read (ISO 8601)."),
            ],
            requiredWhen: [
                ConditionalRequirement(when: "source", is: "prometheus_text", requires: ["metric"]),
                ConditionalRequirement(when: "source", is: "prometheus_query", requires: ["query"]),
            ]),
    ]

    private static let authFields: [ParameterSpec] = [
        ParameterSpec("type", .string, required: true, allowed: ["bearer", "basic", "header"], description: "The scheme."),
        ParameterSpec("token", .string, description: "Bearer token.", example: "{{ secrets.API_TOKEN }}", secret: true),
        ParameterSpec("username", .string, description: "Basic auth user."),
        ParameterSpec("password", .string, description: "Basic auth password.", secret: true),
        ParameterSpec("header_name", .string, description: "Header name, for type: header.", example: "X-API-Key"),
        ParameterSpec("value", .string, description: "Header value, for type: header.", secret: true),
    ]

    private static let emailFields: [ParameterSpec] = [
        ParameterSpec("to", .list(of: .string), description: "Recipients; the server's default when omitted."),
        ParameterSpec("cc", .list(of: .string), description: "Copy recipients."),
        ParameterSpec(
            "from", .string, default: "windflow@localhost",
            description: "Sender address; when omitted, WINDFLOW_SMTP_FROM, else this default."),
        ParameterSpec("subject", .string, description: "Subject; title when omitted."),
        ParameterSpec("html", .text, description: "An HTML body sent alongside the text."),
        ParameterSpec("smtp_host", .string, description: "SMTP server; the server's default when omitted."),
        ParameterSpec("smtp_port", .integer, default: 587, min: 1, max: 65535, description: "SMTP port."),
        ParameterSpec(
            "security", .string, default: "starttls", allowed: ["starttls", "tls", "none"],
            description: "STARTTLS, TLS from the start, or none."),
        ParameterSpec("username", .string, description: "SMTP user."),
        ParameterSpec(
            "password", .string, description: "SMTP password.", example: "{{ secrets.SMTP_PASSWORD }}", secret: true),
        ParameterSpec(
            "verify_tls", .boolean, default: true,
            description: "Check the SMTP server's certificate; turn off only for a server with a private certificate."),
    ]
}
