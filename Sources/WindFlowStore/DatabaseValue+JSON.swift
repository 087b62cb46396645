import Foundation
import GRDB
import WindFlowCore

extension JSONValue {
    /// A SQLite value as JSON: numbers and text as they are, a blob as base64 text.
    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .int(Int(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .blob(let data): self = .string(data.base64EncodedString())
        }
    }
}
