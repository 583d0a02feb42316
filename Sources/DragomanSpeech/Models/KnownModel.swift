/// A model Dragoman knows: what it does, for which languages, where it comes from, and the files it is made of,
/// with their SHA-256 where the source is fixed (a wheel of a given version), so that a copy can be checked.
public struct KnownModel: Sendable, Equatable {
    /// What a model is for.
    public enum Role: String, Sendable, CaseIterable {
        case voiceActivity = "voice activity"
        case recognition = "speech recognition"
        case languageIdentification = "spoken language identification"
        case speechTranslation = "speech translation into English"
        case voice = "voice"
    }

    /// One file of the model.
    public struct File: Sendable, Equatable {
        /// Its name inside the model's folder (or the model's own file name for a one-file model).
        public var name: String
        /// Its SHA-256 as lowercase hex; nil where only the user's source can vouch for it.
        public var sha256: String?

        public init(_ name: String, sha256: String? = nil) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// The name `dragoman models install` takes.
    public var id: String
    public var roles: [Role]
    /// Language tags, or a phrase ("any", "99 languages").
    public var languages: String
    /// Approximate size on disk.
    public var size: String
    public var licence: String
    /// Where a copy can be had (a Debian or PyPI package, or a published release).
    public var source: String
    /// What runs it.
    public var engine: String
    /// Where it goes, relative to the install folder: a file for a one-file model, else a folder.
    public var destination: String
    public var files: [File]
    /// Whether `destination` names the model's single file rather than a folder holding `files`.
    public var isSingleFile: Bool { files.count == 1 && destination.hasSuffix(files[0].name) }

    public init(
        id: String,
        roles: [Role],
        languages: String,
        size: String,
        licence: String,
        source: String,
        engine: String,
        destination: String,
        files: [File]
    ) {
        self.id = id
        self.roles = roles
        self.languages = languages
        self.size = size
        self.licence = licence
        self.source = source
        self.engine = engine
        self.destination = destination
        self.files = files
    }
}
