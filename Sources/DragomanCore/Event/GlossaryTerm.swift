/// One term of an event's glossary, as the organizer gives it: the same thing in several of the event's languages
/// ("пшеница" / "бидай" / "wheat"). Recognition takes the terms as hints; translation keeps them as given; the
/// console's boothmate strip shows them when the floor says them.
public struct GlossaryTerm: Sendable, Equatable, Hashable {
    /// The most terms one event may have: enough for a meeting's names and subjects, small enough to send with
    /// every recognition request.
    public static let maximumTerms = 200
    /// The longest rendering, in characters.
    public static let maximumLength = 100

    /// The term in each language it is given in.
    public var renderings: [LanguageTag: String]

    public init(_ renderings: [LanguageTag: String]) { self.renderings = renderings }

    public subscript(language: LanguageTag) -> String? { renderings[language] }
}

extension Array where Element == GlossaryTerm {
    /// Every rendering in `language`, in the glossary's order: hints for recognizing speech in it.
    public func terms(in language: LanguageTag) -> [String] { compactMap { $0[language] } }

    /// Every rendering in any language: hints when the language of the speech is not known yet.
    public var allTerms: [String] { flatMap { $0.renderings.sorted { $0.key.value < $1.key.value }.map(\.value) } }

    /// How to translate terms from `source` into `target`: the terms given in both.
    public func translations(from source: LanguageTag, to target: LanguageTag) -> [String: String] {
        var pairs: [String: String] = [:]
        for term in self {
            if let from = term[source], let to = term[target], pairs[from] == nil { pairs[from] = to }
        }
        return pairs
    }
}
