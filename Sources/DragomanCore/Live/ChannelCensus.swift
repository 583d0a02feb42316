/// What the connections of one channel measure (the fan-out counts them): given to the state
/// machine when it builds what the dashboard and the consoles show.
public struct ChannelCensus: Equatable, Sendable {
    /// WebSocket listeners.
    public var listeners: Int
    /// Listeners of the Ogg stream.
    public var streamListeners: Int
    /// The server's processing delay over the last seconds, ms.
    public var delayP50: Double
    public var delayP99: Double
    /// Packets dropped for slow listeners.
    public var dropped: Int

    public init(listeners: Int = 0, streamListeners: Int = 0, delayP50: Double = 0, delayP99: Double = 0, dropped: Int = 0) {
        self.listeners = listeners
        self.streamListeners = streamListeners
        self.delayP50 = delayP50
        self.delayP99 = delayP99
        self.dropped = dropped
    }

    /// Everyone who hears the channel.
    public var audience: Int { listeners + streamListeners }
}
