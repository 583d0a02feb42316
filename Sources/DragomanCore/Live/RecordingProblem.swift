/// Why a channel's recording stopped while the meeting went on.
public struct RecordingProblem: Equatable, Sendable {
    /// The disk (or the folder's quota) is full.
    public var diskFull: Bool
    /// The system's words: "No space left on device".
    public var detail: String

    public init(diskFull: Bool, detail: String) {
        self.diskFull = diskFull
        self.detail = detail
    }
}
