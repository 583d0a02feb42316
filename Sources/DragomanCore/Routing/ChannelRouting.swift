/// Decides what each channel carries, as a pure function of the event's state.
///
/// Until booths exist every channel carries the floor; a language channel whose
/// language is not the floor's says that no interpretation is live.
public enum ChannelRouting {
    /// What `channel` carries when the floor speaks `floorLanguage` (nil: not known).
    public static func carrying(_ channel: ChannelID, floorLanguage: LanguageTag?) -> Carrying {
        switch channel {
        case .floor:
            return Carrying(source: .floor, language: floorLanguage, interpretation: false)
        case .language:
            return Carrying(source: .floor, language: floorLanguage, interpretation: false)
        }
    }
}
