import Foundation
import Testing
@testable import WindFlowCore

/// What the redactor hides: secrets, their encodings, and values computed from them.
struct RedactorTests {
    let secret = "hunter2-very-secret"

    @Test func encodedFormsOfASecretAreHidden() {
        let redactor = Redactor(secrets: ["TOKEN": secret])
        let base64 = Data(secret.utf8).base64EncodedString()
        let forms = [
            secret, base64, base64.replacingOccurrences(of: "=", with: ""),
            base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"),
            secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
        ]
        for form in forms {
            #expect(!redactor.redact("value: \(form).").contains(form), "\(form)")
        }
    }

    @Test func aBasicAuthHeaderBuiltFromASecretIsHidden() {
        let redactor = Redactor(secrets: ["PASSWORD": secret])
        for user in ["u", "ab", "admin", "deploy-bot"] {
            let header = "Authorization: Basic " + Data("\(user):\(secret)".utf8).base64EncodedString()
            let shown = redactor.redact(header)
            #expect(shown.contains("[secret]"), "\(user): \(shown)")
            // What is left cannot be decoded back to the secret.
            #expect(!shown.contains(String(Data(secret.utf8).base64EncodedString().prefix(8))) || shown.contains("[secret]"))
        }
    }

    @Test func ordinaryTextIsLeftAlone() {
        let redactor = Redactor(secrets: ["TOKEN": secret, "SHORT": "abc"])
        let text = "deployed shop to production in 3 s, abc"
        #expect(redactor.redact(text) == text)
    }

    @Test func valuesComputedFromASecretAreHiddenOnceEvaluated() throws {
        let derived = DerivedSecrets()
        let redactor = Redactor(secrets: ["TOKEN": secret], derived: derived)
        let scope = ExpressionScope(["secrets": ["TOKEN": .string(secret)], "trigger": ["name": "shop"]], derivedSecrets: derived)
        let upper = try Template.parse("{{ secrets.TOKEN | upper }}").render(in: scope).renderedText
        let joined = try Template.parse("{{ 'Bearer ' + secrets.TOKEN + '!' }}").render(in: scope).renderedText
        let plain = try Template.parse("{{ trigger.name | upper }}").render(in: scope).renderedText
        #expect(redactor.redact("a \(upper) b") == "a [secret] b")
        #expect(!redactor.redact(joined).contains(secret) && !redactor.redact(joined).contains("Bearer \(secret)"))
        #expect(redactor.redact(plain) == "SHOP")
        #expect(!redactor.redact(Data(upper.utf8).base64EncodedString()).contains(Data(upper.utf8).base64EncodedString()))
    }

    @Test func aComparisonWithASecretIsNotASecret() throws {
        let derived = DerivedSecrets()
        let scope = ExpressionScope(["secrets": ["TOKEN": .string(secret)]], derivedSecrets: derived)
        _ = try ExpressionParser.parse("secrets.TOKEN == 'x'").evaluate(in: scope)
        _ = try ExpressionParser.parse("secrets.TOKEN | length").evaluate(in: scope)
        #expect(derived.isEmpty)
    }
}
