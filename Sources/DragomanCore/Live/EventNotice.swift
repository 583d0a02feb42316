/// Something a change of the live event must tell someone: the state machine returns these,
/// in order, and the server carries them out over the connections concerned.
public enum EventNotice: Equatable, Sendable {
    /// To every listener of a channel, ahead of the next audio packet.
    case channel(ChannelID, ChannelNotice)
    /// The consoles of a booth need the booth's state anew (`booth-state`).
    case boothState(LanguageTag)
    /// To every console of a booth.
    case booth(LanguageTag, BoothNotice)
    /// To one console connection.
    case console(ConnectionID, ConsoleNotice)
    /// To every organizer dashboard.
    case dashboards(DashboardNotice)
    /// Where some source's audio goes changed: read `EventState.routes` again.
    case routesChanged
    /// The organizer removed this channel's language: its listeners are told why and disconnected.
    case channelRemoved(ChannelID, ProtocolError)
    /// The organizer removed this booth's language: its consoles are told why and disconnected.
    case boothRemoved(LanguageTag, ProtocolError)

    /// What listeners of a channel are told.
    public enum ChannelNotice: Equatable, Sendable {
        /// The floor changed language and so did what the channel carries: phones show a banner.
        case alert(ControlMessages.Alert)
        case carrying(ControlMessages.CarryingMessage)
        /// A caption line for the channel's listeners.
        case caption(ControlMessages.Caption)
    }

    /// What every console of a booth is told.
    public enum BoothNotice: Equatable, Sendable {
        case chat(ControlMessages.Chat)
        case signal(ControlMessages.Signal)
        /// A line of the floor's transcript (the boothmate strip, and the transcript the interpreter may show).
        case caption(ControlMessages.Caption)
    }

    /// What one console is told.
    public enum ConsoleNotice: Equatable, Sendable {
        /// A refusal or warning; the connection stays.
        case error(ControlMessages.ErrorMessage)
        /// The connection ends, and why.
        case close(ProtocolError)
    }

    /// What every dashboard is told.
    public enum DashboardNotice: Equatable, Sendable {
        case chat(ControlMessages.Chat)
        case signal(ControlMessages.Signal)
        /// A line of the floor's transcript.
        case caption(ControlMessages.Caption)
        /// The event changed: send a fresh snapshot.
        case refresh
    }
}
