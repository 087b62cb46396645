import Foundation

/// Words for ranking: lower-cased, split on anything not a letter or digit, common words dropped, plurals and
/// endings trimmed, and a few synonyms (English and French) folded onto one word.
enum TextIndex {
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "it", "its", "is", "be",
        "when", "then", "if", "my", "our", "me", "us", "we", "i", "you", "your", "this", "that", "every", "each", "all",
        "after", "before", "into", "as", "use", "using", "please", "want", "need", "should", "would", "can", "le", "la",
        "les", "un", "une", "des", "du", "de", "et", "ou", "en", "pour", "avec", "sur", "dans", "quand", "chaque", "tous",
        "toutes", "si", "puis", "nos", "notre", "mon", "ma", "mes", "it's", "them", "their", "do", "does", "get", "run",
    ]

    static let synonyms: [String: String] = [
        "nightly": "night", "nuit": "night", "overnight": "night", "midnight": "night",
        "deployment": "deploy", "release": "deploy", "ship": "deploy", "rollout": "deploy", "deployer": "deploy", "déployer": "deploy",
        "déploie": "deploy", "déploiement": "deploy", "sauvegarde": "backup", "sauvegarder": "backup", "back": "backup", "snapshot": "backup",
        "dump": "backup", "certificate": "cert", "certificat": "cert", "ssl": "cert", "tls": "cert", "https": "cert",
        "letsencrypt": "cert", "expiry": "expire", "expiration": "expire", "alerte": "alert", "page": "alert", "notify": "alert",
        "notification": "alert", "warn": "alert", "surveiller": "monitor", "surveillance": "monitor", "uptime": "monitor",
        "ping": "monitor", "down": "monitor", "scaling": "scale", "autoscale": "scale", "autoscaling": "scale", "replica": "scale",
        "replicas": "scale", "restart": "restart", "redémarrer": "restart", "reboot": "restart", "cpu": "load", "memory": "load",
        "push": "git", "commit": "git", "github": "git", "gitlab": "git", "repository": "git", "repo": "git", "postgres": "database",
        "postgresql": "database", "sql": "database", "mysql": "database", "db": "database", "base": "database",
        "cleanup": "clean", "prune": "clean", "purge": "clean", "nettoyer": "clean", "nettoyage": "clean", "delete": "clean",
        "health": "health", "healthcheck": "health", "santé": "health", "canary": "canary", "upload": "file", "drop": "file",
        "fichier": "file", "csv": "file", "import": "file", "report": "report", "rapport": "report", "weekday": "weekday",
        "weekdays": "weekday", "failed": "fail", "failure": "fail", "fails": "fail", "échec": "fail", "error": "fail",
        "minute": "minute", "minutes": "minute", "hourly": "hour", "daily": "day", "jour": "day",
    ]

    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if !current.isEmpty { result.append(contentsOf: normalize(current)) }
                current = ""
            }
        }
        if !current.isEmpty { result.append(contentsOf: normalize(current)) }
        return result
    }

    private static func normalize(_ word: String) -> [String] {
        if word.contains("_") { return word.split(separator: "_").flatMap { normalize(String($0)) } }
        guard !stopWords.contains(word), word.count > 1 else { return [] }
        if let synonym = synonyms[word] { return [synonym] }
        let stemmed = stem(word)
        return [synonyms[stemmed] ?? stemmed]
    }

    static func stem(_ word: String) -> String {
        for suffix in ["ing", "ed", "es", "s"] where word.count > suffix.count + 3 && word.hasSuffix(suffix) {
            return String(word.dropLast(suffix.count))
        }
        return word
    }
}
