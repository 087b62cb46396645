import Foundation

/// What a request says in so many words: when it runs, where, on what, whom to tell. Read with patterns, never
/// guessed; the offline planner fills templates with these, and says what it had to assume.
public struct ProseFacts: Sendable {
    public enum TriggerKind: String, Sendable { case manual, schedule, webhook, event, file }

    public var schedule: CronPhrase.Match?
    public var trigger: TriggerKind?
    public var environment: String?
    /// Every environment the request names ("dev, staging or production": three).
    public var environments: [String] = []
    public var stack: String?
    public var services: [String] = []
    public var channels: [String] = []
    public var slackChannel: String?
    public var emails: [String] = []
    public var urls: [String] = []
    /// A percentage or "above N" limit.
    public var threshold: Double?
    public var retentionDays: Int?
    public var replicas: Int?
    public var path: String?
    /// An object-store bucket (`s3://bucket/prefix`, "the bucket shop-backups") and the key prefix given with it.
    public var bucket: String?
    public var bucketPrefix: String?
    /// Node types the words ask for, in the order they are asked.
    public var actions: [String] = []

    public init(_ prose: String) {
        let text = " " + prose.lowercased() + " "
        schedule = CronPhrase.parse(prose)
        if let match = text.firstMatch(of: /s3:\/\/([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(\/[^\s,;]*)?/) {
            bucket = String(match.1)
            bucketPrefix = match.2.map { String($0.drop { $0 == "/" }) }.flatMap { $0.isEmpty ? nil : $0 }
        } else if let match = text.firstMatch(of: /bucket\s+(?:named\s+|called\s+)?["'`]?([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/) {
            bucket = String(match.1)
        }
        trigger = Self.trigger(text, hasSchedule: schedule != nil)
        environments = [("staging", [" staging", "pre-prod", "preprod", "recette"]), ("production", ["production", " prod ", " prod,", " prod.", " prod)", " live "]),
                        ("development", [" dev ", " dev,", " dev)", "development", " test environment"])].filter { Self.has(text, $0.1) }.map(\.0)
        if Self.has(text, [" staging", "pre-prod", "preprod", "recette"]) { environment = "staging" }
        else if Self.has(text, ["production", " prod ", " prod,", " prod.", " prod)", " live "]) { environment = "production" }
        else if Self.has(text, [" dev ", "development", " test environment"]) { environment = "development" }
        stack = Self.capture([#"\b([a-z0-9][\w-]*)\s+stack\b"#, #"(?:stack|stack_id)\s+(?:named\s+|called\s+)?["'`]?([a-z0-9][\w-]*)"#], in: text,
                             excluding: Self.notNames.union(["compose", "docker", "entire", "full", "whole"]))
        services = Self.captures(#"(?:service|svc)\s+["'`]?([a-z0-9][\w-]*)"#, in: text, excluding: Self.notNames)
            + Self.captures(#"\b([a-z0-9][\w-]*)\s+service\b"#, in: text, excluding: Self.notNames.union(["scale", "notification"]))
        var seen: Set<String> = []
        services = services.filter { seen.insert($0).inserted }
        if Self.has(text, ["slack", " #"]) { channels.append("slack") }
        if Self.has(text, ["email", "e-mail", " mail ", "courriel", "@"]) { channels.append("email") }
        if Self.has(text, ["teams"]) { channels.append("teams") }
        if Self.has(text, ["discord"]) { channels.append("discord") }
        slackChannel = CronPhrase.firstMatch(#"(#[a-z0-9][\w-]*)"#, in: text)?.first
        emails = Self.captures(#"([a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})"#, in: text, excluding: [])
        urls = Self.captures(#"(https?://[^\s"'<>),]+)"#, in: prose, excluding: []).map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        if let value = CronPhrase.firstMatch(#"(?:above|over|exceeds?|higher than|greater than|more than|>|dépasse|au-dessus de|plus de)\s*(\d+(?:\.\d+)?)"#, in: text)?.first {
            threshold = Double(value)
        } else if let value = CronPhrase.firstMatch(#"(\d+(?:\.\d+)?)\s*%"#, in: text)?.first {
            threshold = Double(value)
        }
        retentionDays = CronPhrase.firstMatch(#"(?:keep|retain|retention(?: of)?|for|garder|conserver)\s+(?:the last\s+)?(\d+)\s*(?:days|jours|d\b)"#, in: text)?.first.flatMap { Int($0) }
        replicas = CronPhrase.firstMatch(#"(\d+)\s+(?:replicas|instances|copies|containers)"#, in: text)?.first.flatMap { Int($0) }
        path = Self.capture([#"(?:in|into|to|under|dans)\s+(/[\w./*-]+)"#, #"(/[\w.-]+/[\w./*-]*)"#], in: prose.lowercased(), excluding: [])
        actions = Self.actions(text)
    }

    /// Words that follow "stack" or "service" without being a name.
    static let notNames: Set<String> = [
        "the", "a", "an", "our", "my", "this", "that", "each", "every", "which", "is", "in", "on", "for", "to", "of", "and",
        "with", "at", "from", "it", "its", "when", "if", "then", "de", "la", "le", "en", "dans", "du", "des", "et",
        "name", "names", "id", "strictly", "strict", "again", "first", "file",
    ]

    private static func has(_ text: String, _ needles: [String]) -> Bool { needles.contains { text.contains($0) } }

    /// The trigger whose words come first: "Every 15 min … post to our webhook" is a schedule, "When the workflow
    /// 'Deploy' fails, … push the tag" an event.
    private static func trigger(_ text: String, hasSchedule: Bool) -> TriggerKind? {
        let signals: [(TriggerKind, [String])] = [
            (.event, [#"workflow\s+(?:'[^']*'\s+|"[^"]*"\s+)?(?:fails|failed|succeeds|succeeded|completes|finishes)"#,
                      #"(?:'[^']*'|"[^"]*")\s+workflow\s+(?:fails|failed|succeeds|succeeded|completes|finishes)"#,
                      #"(?:execution|run|deployment|deploy)\s+(?:fails|failed|succeeds|succeeded)"#, #"execution\.(?:failed|succeeded)"#,
                      #"\bevent\b"#, #"échoue"#]),
            (.webhook, [#"webhook"#, #"\bhook\b"#, #"github"#, #"gitlab"#, #"stripe"#, #"\bpush(?:ed|es)?\b"#, #"pull request"#,
                        #"\bposts\b"#, #"is posted"#, #"callback"#, #"http request (?:comes|arrives)"#]),
            (.file, [#"lands? in"#, #"dropped"#, #"appears? in"#, #"shows? up in"#, #"(?:is|are) (?:put|placed|copied|saved|written) (?:in|into) /"#, #"new file"#, #"file changes"#, #"files? (?:is|are) (?:created|added|modified)"#,
                     #"\bwatch\b"#, #"uploaded"#, #"nouveau fichier"#, #"arrive dans"#]),
            (.schedule, hasSchedule ? [#"\bevery\b"#, #"\beach\b"#, #"nightly"#, #"daily"#, #"hourly"#, #"weekly"#, #"monthly"#, #"midnight"#,
                                       #"weekday"#, #"weekend"#, #"(?:mon|tues|wednes|thurs|fri|satur|sun)days?"#, #"tous les"#,
                                       #"toutes les"#, #"chaque"#, #"\bat \d"#, #"\d(?:am|pm)\b"#] : []),
            (.manual, [#"manually"#, #"on demand"#, #"button"#, #"by hand"#, #"when i (?:start|run|trigger)"#, #"à la demande"#, #"à la main"#, #"manuellement"#]),
        ]
        // A named event ("a custom event cert.expiring", "the event backup.done") is an event trigger, however it is
        // delivered ("our monitoring posts a custom event…").
        if text.contains(/custom event|\bevents?\s+(?:named\s+|called\s+)?["'`]?[a-z][\w-]*\.[a-z][\w.-]*/) { return .event }
        var best: (TriggerKind, Int)?
        for (kind, patterns) in signals {
            for pattern in patterns {
                guard let regex = try? NSRegularExpression(pattern: pattern),
                    let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
                else { continue }
                if match.range.location < (best?.1 ?? Int.max) { best = (kind, match.range.location) }
            }
        }
        return best?.0
    }

    /// The node types the request's verbs ask for, ordered by where they appear.
    private static func actions(_ text: String) -> [String] {
        let table: [(String, [String])] = [
            ("windflow.validate_stack", ["validate the stack", "validate stack", "lint the compose", "check the compose", "validate the compose"]),
            ("windflow.backup_data", ["backup", "back up", "back-up", "sauvegard", "snapshot"]),
            ("integration.cloud", ["s3://", " s3 ", " s3", "bucket", "object storage", "minio", " r2", "backblaze", "off-site", "offsite", "upload"]),
            ("integration.git", ["git pull", "clone", "pull the repo", "checkout", "git "]),
            ("integration.script", ["run the tests", "run tests", "test suite", "script", "command", "shell", "execute", "lance les tests"]),
            ("windflow.deploy_stack", ["deploy", "déploie", "déployer", "roll out", "release"]),
            ("windflow.get_metrics", ["cpu", "memory usage", "metrics", "load is", "request rate", "métriques"]),
            ("windflow.scale_service", ["scale", "replicas", "instances"]),
            ("windflow.health_check", ["health check", "healthcheck", "health-check", "is healthy", "santé"]),
            ("windflow.renew_certificates", ["certificate", "certificat", " ssl", " tls", "cert "]),
            ("integration.monitoring", ["prometheus", "promql", "alertmanager"]),
            ("integration.database", [" sql", "query", "database", "postgres", "sqlite", "table", "base de données"]),
            ("integration.http", ["http://", "https://", "call the api", "api call", "endpoint", "post to", "get request", "ping", "url"]),
            ("logic.loop", ["for each", "for every", "each of", "pour chaque", "loop over"]),
            ("logic.wait", ["wait ", "pause", "attendre", "attends"]),
            ("logic.condition", [" if ", " when it", " unless ", "above", "below", "exceeds", " si ", "fails", "failed"]),
            ("integration.notification", ["notify", "slack", "email", "e-mail", "alert", "tell ", "message", "page ", "teams", "préviens", "prévenir"]),
        ]
        // Phrases with words between the verb and its object: "validate the shop, blog and crm stacks", "validate it
        // strictly" (a stack file), "pull the latest of our infra repo".
        let phrases: [String: [String]] = [
            "windflow.validate_stack": [#"validat\w*\s[^.;]{0,40}?\bstacks?\b"#, #"validat\w*\s+(?:it|them)\b"#, #"valide[rz]?\s[^.;]{0,30}?\bstacks?\b"#],
            "integration.git": [#"\bpull\b[^.;]{0,30}?\brepo(?:sitory)?\b"#],
            "integration.script": [#"\b(?:make|npm|yarn|pnpm|cargo|go) (?:test|check|build|run)\b"#, #"\bpytest\b"#, #"\brun \./"#],
        ]
        var found: [(Int, String)] = []
        for (type, words) in table {
            var positions = words.compactMap { text.range(of: $0).map { text.distance(from: text.startIndex, to: $0.lowerBound) } }
            for pattern in phrases[type] ?? [] {
                if let match = text.range(of: pattern, options: .regularExpression) { positions.append(text.distance(from: text.startIndex, to: match.lowerBound)) }
            }
            if let first = positions.min() { found.append((first, type)) }
        }
        // "Back up the database" names what is backed up, not a query to run: without words of SQL, no SQL step.
        if text.contains(/(?:back[ -]?up|sauvegard\w*)\s+[\w' -]{0,30}?(?:database|postgres|sqlite|base de données)/),
           !Self.has(text, [" sql", "query", "select ", " table", "insert ", "vacuum", "migration"]) {
            found.removeAll { $0.1 == "integration.database" }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static func capture(_ patterns: [String], in text: String, excluding: Set<String>) -> String? {
        for pattern in patterns {
            if let value = captures(pattern, in: text, excluding: excluding).first { return value }
        }
        return nil
    }

    private static func captures(_ pattern: String, in text: String, excluding: Set<String>) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text) else { return nil }
            let value = String(text[range])
            return excluding.contains(value) ? nil : value
        }
    }
}
