extension NodeRegistry {
    /// Actions on running stacks (through the deployment driver, the Docker Engine API first).
    static let windflowTypes: [NodeType] = [
        NodeType(
            id: "windflow.deploy_stack", category: .windflow, displayName: "Deploy stack",
            summary: "Deploys a stack to an environment, waits for it to be healthy, and on failure rolls back and fails.",
            icon: "upload",
            parameters: [
                stackID(required: true),
                environment,
                ParameterSpec(
                    "wait_for_healthy", .boolean, default: true,
                    description: "Wait until every container's health check passes."),
                ParameterSpec(
                    "health_timeout", .duration, default: 120, min: 1, max: 86_400,
                    description: "How long to wait for health before rolling back."),
                ParameterSpec(
                    "rollback_on_failure", .boolean, default: true,
                    description: "Restore the previous containers when the deployment fails."),
                ParameterSpec(
                    "backup_before_deploy", .boolean, default: false,
                    description: "Back up the stack's volumes before replacing anything."),
                ParameterSpec(
                    "variables", .map(of: .string),
                    description: "Values substituted for ${NAME} in the stack file.", example: ["TAG": "1.4.2"]),
            ],
            outputs: [
                OutputField("endpoint", .string, "Base URL of the stack's first published port, e.g. http://127.0.0.1:8080."),
                OutputField("endpoints", .object, "Base URL per service."),
                OutputField("containers", .list, "Ids of the containers now running."),
                OutputField("previous_containers", .list, "Ids of the containers a rollback returns to."),
                OutputField("stack_id", .string, "The stack deployed."),
                OutputField("environment", .string, "The environment deployed to."),
                OutputField("rolled_back", .boolean, "Whether the deployment was rolled back."),
                OutputField("deployed_at", .string, "When the deployment finished (ISO 8601)."),
            ]),
        NodeType(
            id: "windflow.scale_service", category: .windflow, displayName: "Scale service",
            summary: "Sets a service's replica count, or multiplies it within bounds.", icon: "arrows",
            parameters: [
                ParameterSpec(
                    "service_id", .string, required: true, description: "The service to scale.", example: "web-app"),
                stackID(required: false),
                environment,
                ParameterSpec("replicas", .integer, min: 0, max: 1000, description: "The replica count to set."),
                ParameterSpec(
                    "scale_factor", .number, min: 0.01, max: 100,
                    description: "Multiply the current replica count by this (rounded up).", example: 1.5),
                ParameterSpec(
                    "min_replicas", .integer, min: 0, max: 1000,
                    description: "Never fewer; when omitted, 1 for scale_factor and no floor for replicas."),
                ParameterSpec("max_replicas", .integer, min: 1, max: 1000, description: "Never more."),
            ],
            requiresOneOf: [["replicas", "scale_factor"]],
            outputs: [
                OutputField("service_id", .string, "The service scaled."),
                OutputField("previous_replicas", .integer, "Replicas before."),
                OutputField("replicas", .integer, "Replicas now."),
            ]),
        NodeType(
            id: "windflow.backup_data", category: .windflow, displayName: "Back up data",
            summary: "Archives a stack's volumes, prunes old backups, or restores one.", icon: "archive",
            parameters: [
                stackID(required: false),
                environment,
                ParameterSpec(
                    "volumes", .list(of: .string),
                    description: "Volumes to back up; all of the stack's volumes when omitted."),
                ParameterSpec(
                    "mode", .string, default: "backup", allowed: ["backup", "restore"],
                    description: "Make a backup, or restore backup_file into the volumes."),
                ParameterSpec(
                    "backup_type", .string, default: "full", allowed: ["full", "incremental"],
                    description: "Everything, or only files changed since the last backup."),
                ParameterSpec(
                    "destination", .string, default: "backups",
                    description: "Directory the archives go to, or s3://bucket/prefix to send them off the machine (with the s3 credentials below).",
                    example: "s3://backups/nightly"),
                ParameterSpec(
                    "retention_days", .integer, min: 1, max: 3650,
                    description: "Delete backups older than this many days."),
                ParameterSpec("compress", .boolean, default: true, description: "gzip the archive."),
                ParameterSpec(
                    "backup_file", .string, description: "The archive to restore, for mode: restore: a path, or s3://bucket/key."),
            ] + NodeRegistry.s3Connection(required: false),
            outputs: [
                OutputField("backup_file", .string, "Path of the archive written (or restored)."),
                OutputField("size_bytes", .integer, "Its size."),
                OutputField("duration_ms", .integer, "How long it took."),
                OutputField("volumes", .list, "The volumes included."),
                OutputField("pruned", .list, "Old archives deleted by retention_days."),
            ],
            requiredWhen: [ConditionalRequirement(when: "mode", is: "restore", requires: ["backup_file"])]),
        NodeType(
            id: "windflow.validate_stack", category: .windflow, displayName: "Validate stack",
            summary: "Checks a stack file without deploying it (schema, images, ports, missing variables); fails when it "
                + "has errors.",
            icon: "check",
            parameters: [
                stackID(required: true),
                environment,
                ParameterSpec(
                    "validation_level", .string, default: "basic", allowed: ["basic", "strict"],
                    description: "strict also fails on warnings (missing images, unpinned tags, no health check)."),
                ParameterSpec(
                    "variables", .map(of: .string),
                    description: "Values substituted for ${NAME} in the stack file, as deploy_stack would.",
                    example: ["TAG": "1.4.2"]),
            ],
            outputs: [
                OutputField("valid", .boolean, "Whether the stack can be deployed."),
                OutputField("problems", .list, "Each problem with its code, path and message."),
                OutputField("errors", .integer, "How many errors."),
                OutputField("warnings", .integer, "How many warnings."),
            ]),
        NodeType(
            id: "windflow.get_metrics", category: .windflow, displayName: "Get metrics",
            summary: "Reads CPU, memory and request rate for services; the top-level fields are the busiest "
                + "service's.",
            icon: "chart",
            parameters: [
                ParameterSpec(
                    "services", .list(of: .string), description: "Services to read; all running services when omitted.",
                    example: ["web-app", "api-service"]),
                stackID(required: false),
                environment,
                ParameterSpec(
                    "metrics", .list(of: .string), default: ["cpu_usage", "memory_usage"],
                    allowed: ["cpu_usage", "memory_usage", "request_rate"], description: "What to read."),
                ParameterSpec(
                    "metrics_path", .string, default: "/metrics",
                    description: "Where services expose Prometheus metrics, for request_rate."),
                ParameterSpec(
                    "sample_seconds", .duration, default: 2, min: 1, max: 300,
                    description: "Rates are measured over this interval."),
            ],
            outputs: [
                OutputField("cpu_usage", .number, "CPU use in percent of one core, highest among the services."),
                OutputField("memory_usage", .number, "Memory use in percent of the limit, highest among the services."),
                OutputField("request_rate", .number, "Requests per second, highest among the services."),
                OutputField("service_id", .string, "The service with the highest CPU use."),
                OutputField("services", .object, "The figures per service."),
                OutputField("collected_at", .string, "When the figures were read (ISO 8601)."),
            ]),
        NodeType(
            id: "windflow.health_check", category: .windflow, displayName: "Health check",
            summary: "Checks container health and optional HTTP probes for a service, a stack or everything.",
            icon: "heart",
            parameters: [
                ParameterSpec(
                    "scope", .string, default: "all_services", allowed: ["service", "stack", "all_services"],
                    description: "What to check."),
                ParameterSpec("service_id", .string, description: "The service, for scope: service."),
                stackID(required: false),
                environment,
                ParameterSpec(
                    "http_probes", .list(of: .object(probeFields)), description: "URLs that must answer as expected."),
                ParameterSpec("detailed", .boolean, default: false, description: "Include every container's details."),
                ParameterSpec(
                    "report_dir", .string, default: "reports", description: "Where the report file is written."),
            ],
            outputs: [
                OutputField("healthy", .boolean, "Whether everything checked is healthy."),
                OutputField("summary", .string, "One line per problem, or 'all healthy'."),
                OutputField("unhealthy", .list, "The services or probes that failed."),
                OutputField("services", .object, "State per service."),
                OutputField("report_file", .string, "Path of the report written."),
            ],
            requiredWhen: [
                ConditionalRequirement(when: "scope", is: "service", requires: ["service_id"]),
                ConditionalRequirement(when: "scope", is: "stack", requires: ["stack_id"]),
            ]),
        NodeType(
            id: "windflow.renew_certificates", category: .windflow, displayName: "Renew certificates",
            summary: "Finds certificates close to expiry and runs the renew command for them.", icon: "lock",
            parameters: [
                ParameterSpec(
                    "certificates", .list(of: .string),
                    description: "Certificate files (PEM) or https:// endpoints to check.",
                    example: ["/etc/ssl/site.pem", "https://example.org"]),
                ParameterSpec(
                    "directory", .string, default: "certificates",
                    description: "Check every .pem and .crt file in this directory (relative to the data directory)."),
                ParameterSpec(
                    "auto_renew", .boolean, default: true,
                    description: "Run renew_command for certificates within notification_days of expiry."),
                ParameterSpec(
                    "notification_days", .integer, default: 30, min: 1, max: 365,
                    description: "Certificates expiring within this many days are reported and renewed."),
                ParameterSpec(
                    "renew_command", .text,
                    description: "Command that renews one certificate; it gets $CERT_PATH (the file, or the endpoint "
                        + "URL) and $CERT_NAME (the file name without extension, or the endpoint's host).",
                    example: "certbot renew --cert-name \"$CERT_NAME\""),
            ],
            outputs: [
                OutputField("checked", .list, "Every certificate checked, with its expiry and days left."),
                OutputField("expiring", .list, "Those within notification_days."),
                OutputField("renewed", .list, "Those renewed."),
                OutputField("min_days_left", .integer, "Days left on the certificate closest to expiry, after renewals."),
            ]),
    ]

    private static func stackID(required: Bool) -> ParameterSpec {
        ParameterSpec(
            "stack_id", .string, required: required, description: "The stack, by name, in the stacks directory.",
            example: "shop")
    }

    private static let environment = ParameterSpec(
        "environment", .string, default: "production",
        description: "The environment (staging, production, …); resources are named and labelled by it.",
        example: "staging")

    private static let probeFields: [ParameterSpec] = [
        ParameterSpec("url", .string, required: true, description: "The URL to request."),
        ParameterSpec(
            "expected_status", .integer, default: 200, min: 100, max: 599, description: "The status that means up."),
    ]
}
