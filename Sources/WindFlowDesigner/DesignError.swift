/// A designer failure that says what went wrong and what to do.
public struct DesignError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
