/// One voice of espeak-ng's data, as `espeak_ListVoices` lists it.
struct EspeakVoice: Sendable, Equatable {
    /// Its file within espeak-ng-data, e.g. `trk/kk`, `gmw/en-US`: what selects it.
    var identifier: String
    /// Its given name, e.g. `Kazakh`, `English_(America)`.
    var name: String
    /// The languages it speaks, each with espeak's priority (lower is a better match), e.g. `[(2, "en-us"), (3, "en")]`.
    var languages: [Language]

    struct Language: Sendable, Equatable {
        var priority: Int
        var tag: String
    }

    /// Parses espeak's language list: pairs of a priority byte and a zero-terminated tag, ended by a zero byte.
    static func parseLanguages(_ list: UnsafePointer<CChar>) -> [Language] {
        var languages: [Language] = []
        var p = list
        while p.pointee != 0 {
            let priority = Int(UInt8(bitPattern: p.pointee))
            p += 1
            let tag = String(cString: p)
            languages.append(Language(priority: priority, tag: tag))
            p += tag.utf8.count + 1
        }
        return languages
    }
}
