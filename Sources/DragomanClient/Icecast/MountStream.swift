import DragomanAudio

/// The Ogg/Opus stream an Icecast mount receives: the channel's packets as they come and
/// silence when none come, one Ogg page per 20 ms packet, written to whichever source
/// connection is up.
///
/// Both sides come and go independently: packets that arrive while Icecast is not connected
/// are dropped (it is live audio), and while Dragoman is not connected Icecast gets silence.
actor MountStream {
    /// Silence starts when no packet has come for this long: long enough to ride out the
    /// network's jitter without inserting silence into speech, short enough to be far from
    /// Icecast's source timeout.
    static let silenceAfter: Duration = .milliseconds(100)
    /// A source that takes nothing for this long is closed, so that a fresh connection is tried;
    /// TCP alone would take many minutes to give up on a host that vanished.
    static let stallLimit: Duration = .seconds(10)

    private let silence: [UInt8]
    private let log: @Sendable (String) -> Void
    private var head: OpusHead?
    private var source: IcecastSource?
    private var writer: OggOpusWriter?
    private var lastPacket = ContinuousClock.now
    private var stalledSince: ContinuousClock.Instant?
    private var droppedPages = 0

    /// - Parameters:
    ///   - silence: one 20 ms Opus packet of silence, sent as often as needed.
    ///   - log: receives a line when Icecast stops or resumes taking data.
    init(silence: [UInt8], log: @escaping @Sendable (String) -> Void) {
        self.silence = silence
        self.log = log
    }

    /// Sets the channel's stream header, from each `welcome`.
    ///
    /// A header that differs from the previous one (a different server build, another
    /// encoder delay) starts a new chained Ogg stream, which Icecast and players follow.
    func setHead(_ new: OpusHead) {
        guard new != head else { return }
        head = new
        if source != nil { startOggStream() }
    }

    /// Starts writing to a freshly accepted source connection: header pages first.
    func attach(_ source: IcecastSource) {
        self.source = source
        writer = nil
        stalledSince = nil
        droppedPages = 0
        startOggStream()
    }

    /// Stops writing to `source` (it closed).
    func detach(_ source: IcecastSource) {
        guard self.source === source else { return }
        self.source = nil
        writer = nil
    }

    /// Forwards one of the channel's packets.
    ///
    /// - Returns: the granule position of the page that carries it, or nil when it was not sent.
    @discardableResult
    func packet(_ packet: [UInt8]) -> Int64? {
        lastPacket = .now
        return write(packet)
    }

    /// Called every 20 ms: sends a silent packet when the channel has been quiet, and closes
    /// a source that has stopped taking data.
    func tick() {
        guard let source else { return }
        let now = ContinuousClock.now
        if now - lastPacket >= Self.silenceAfter { write(silence) }
        if source.isAcceptingData {
            if stalledSince != nil {
                log("icecast: taking data again (\(droppedPages) pages of 20 ms were dropped)")
                stalledSince = nil
                droppedPages = 0
            }
        } else if let stalledSince, now - stalledSince >= Self.stallLimit {
            log("icecast: took nothing for \(Self.stallLimit.components.seconds) s; closing the connection to start a fresh one")
            source.close()
        }
    }

    private func startOggStream() {
        guard let source, let head else { return }
        // End the previous stream properly before chaining a new one on the same connection.
        if var previous = writer, !previous.isFinished { source.send(previous.endOfStream()) }
        let fresh = OggOpusWriter(
            serial: .random(in: 1...UInt32.max),
            channels: head.channels,
            preSkip: head.preSkip,
            inputSampleRate: head.inputSampleRate
        )
        writer = fresh
        // Without its header pages the stream cannot be decoded: a connection that cannot take them is useless.
        if !source.send(fresh.headerPages()) { source.close() }
    }

    @discardableResult
    private func write(_ packet: [UInt8]) -> Int64? {
        guard let source, var writer else { return nil }
        // The page is made even when it cannot be sent, so the granule position keeps time with
        // the clock and Icecast sees a gap in page numbers, which Ogg readers treat as loss.
        let page = writer.page(for: packet)
        self.writer = writer
        // A closed connection is not a stall: the relay notices the close and reconnects.
        if source.send(page) { return writer.granulePosition }
        guard source.isConnected else { return nil }
        droppedPages += 1
        if stalledSince == nil {
            stalledSince = .now
            log("icecast: not taking data as fast as it comes; dropping audio until it does")
        }
        return nil
    }
}
