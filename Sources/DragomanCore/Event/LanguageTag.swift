/// A BCP 47 language tag, stored in lower case: `ru`, `kk`, `en`, `zh-hant`.
///
/// Only the shape is checked (a 2–3 letter primary language and optional 1–8 character
/// subtags), which is what a channel id needs; the tag is also the channel's id.
public struct LanguageTag: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    /// Parses a tag; returns nil when it does not have the shape of a BCP 47 tag.
    public init?(_ input: String) {
        let lower = input.trimmingWhitespace().lowercased()
        let parts = lower.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count),
            primary.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return nil }
        for subtag in parts.dropFirst() {
            guard (1...8).contains(subtag.count), subtag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return nil
            }
        }
        // "floor" is a channel id of its own, never a language.
        guard lower != "floor" else { return nil }
        self.value = lower
    }

    public var description: String { value }
    public static func < (lhs: LanguageTag, rhs: LanguageTag) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let tag = LanguageTag(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a language tag"))
        }
        self = tag
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
