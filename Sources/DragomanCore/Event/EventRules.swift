/// Validation of what an organizer sends: each failure names the field and the problem.
public enum EventRules {
    /// A rule an event's fields break.
    public struct Violation: Error, Equatable, Sendable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { message }
    }

    /// Checks and normalizes an event name.
    public static func name(_ raw: String?) throws(Violation) -> String {
        guard let raw else { throw Violation(field: "name", message: "The field 'name' is missing.") }
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty else { throw Violation(field: "name", message: "The field 'name' is empty.") }
        if let bad = name.unicodeScalars.first(where: isHidden) {
            let code = "U+" + String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)
            throw Violation(
                field: "name",
                message:
                    "The name contains the invisible character \(code): names are shown on place cards and phones, so control and direction characters are not allowed."
            )
        }
        guard name.count <= EventDefinition.maximumNameLength else {
            throw Violation(
                field: "name",
                message: "The name is \(name.count) characters long; at most \(EventDefinition.maximumNameLength) are allowed."
            )
        }
        return name
    }

    /// Checks and normalizes the list of languages: 1–16 distinct BCP 47 tags.
    public static func languages(_ raw: [String]?) throws(Violation) -> [LanguageTag] {
        guard let raw else {
            throw Violation(
                field: "languages",
                message: "The field 'languages' is missing: give at least one language, e.g. [\"ru\", \"kk\", \"en\"]."
            )
        }
        guard !raw.isEmpty else { throw Violation(field: "languages", message: "The field 'languages' is empty: give at least one language.") }
        guard raw.count <= EventDefinition.maximumLanguages else {
            throw Violation(field: "languages", message: "\(raw.count) languages given; at most \(EventDefinition.maximumLanguages) are allowed.")
        }
        var tags: [LanguageTag] = []
        for text in raw {
            guard let tag = LanguageTag(text) else {
                throw Violation(
                    field: "languages",
                    message: "'\(text)' is not a language tag (expected a BCP 47 tag such as 'ru', 'kk', 'en' or 'zh-hant')."
                )
            }
            guard !tags.contains(tag) else {
                throw Violation(field: "languages", message: "The language '\(tag)' is listed twice.")
            }
            tags.append(tag)
        }
        return tags
    }

    /// Checks the languages given a machine booth: each one of the event's `languages`, none twice.
    public static func machineBooths(_ raw: [String]?, of languages: [LanguageTag]) throws(Violation) -> [LanguageTag] {
        guard let raw else { return [] }
        var tags: [LanguageTag] = []
        for text in raw {
            guard let tag = LanguageTag(text), languages.contains(tag) else {
                throw Violation(
                    field: "machine",
                    message:
                        "'\(text)' in 'machine' is not a language of the event (\(languages.map(\.value).joined(separator: ", "))): a machine booth interprets into one of its channels."
                )
            }
            guard !tags.contains(tag) else { throw Violation(field: "machine", message: "The language '\(tag)' is listed twice in 'machine'.") }
            tags.append(tag)
        }
        return tags
    }

    /// Checks a listener PIN: 4–12 digits, or nil for none.
    public static func pin(_ raw: String?) throws(Violation) -> String? {
        guard let raw else { return nil }
        let pin = raw.trimmingWhitespace()
        guard (4...12).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Violation(field: "pin", message: "The PIN must be 4 to 12 digits.")
        }
        return pin
    }

    /// Control characters (NUL, BEL, …) and the bidirectional overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069), which would truncate a stored name or make it read differently from what it is.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension EventRules {
    /// The longest retention an organizer may set: ten years.
    public static let maximumRetentionDays = 3650

    /// Checks a retention period: nil (keep) or 1…3650 days.
    public static func retentionDays(_ raw: Int?) throws(Violation) -> Int? {
        guard let raw else { return nil }
        guard (1...maximumRetentionDays).contains(raw) else {
            throw Violation(
                field: "retentionDays",
                message: "'retentionDays' must be between 1 and \(maximumRetentionDays) days, or null to keep recordings until they are deleted."
            )
        }
        return raw
    }

    /// Checks a packet duration: 20, 40 or 60 ms.
    public static func packetMs(_ raw: Int) throws(Violation) -> Int {
        guard EventDefinition.packetDurations.contains(raw) else {
            throw Violation(
                field: "packetMs",
                message: "'packetMs' must be 20 (the lowest delay), 40 or 60 (large rooms: fewer messages, 20 or 40 ms more delay); got \(raw)."
            )
        }
        return raw
    }

    /// Checks a glossary: at most `GlossaryTerm.maximumTerms` terms, each given in at least one of the event's
    /// `languages`, every rendering 1…`GlossaryTerm.maximumLength` visible characters.
    public static func glossary(_ raw: [[String: String]]?, of languages: [LanguageTag]) throws(Violation) -> [GlossaryTerm] {
        guard let raw else { return [] }
        guard raw.count <= GlossaryTerm.maximumTerms else {
            throw Violation(field: "glossary", message: "\(raw.count) glossary terms given; at most \(GlossaryTerm.maximumTerms) are allowed.")
        }
        var terms: [GlossaryTerm] = []
        for (index, entry) in raw.enumerated() {
            var renderings: [LanguageTag: String] = [:]
            for (code, text) in entry {
                guard let tag = LanguageTag(code), languages.contains(tag) else {
                    throw Violation(
                        field: "glossary",
                        message:
                            "Glossary term \(index + 1): '\(code)' is not a language of the event (\(languages.map(\.value).joined(separator: ", ")))."
                    )
                }
                let rendering = text.trimmingWhitespace()
                guard !rendering.isEmpty else { continue }
                guard rendering.count <= GlossaryTerm.maximumLength, !rendering.unicodeScalars.contains(where: isHidden) else {
                    throw Violation(
                        field: "glossary",
                        message:
                            "Glossary term \(index + 1) in '\(tag)' must be at most \(GlossaryTerm.maximumLength) visible characters, with no control or direction characters."
                    )
                }
                renderings[tag] = rendering
            }
            guard !renderings.isEmpty else {
                throw Violation(field: "glossary", message: "Glossary term \(index + 1) is empty: give it in at least one language.")
            }
            terms.append(GlossaryTerm(renderings))
        }
        return terms
    }
}
