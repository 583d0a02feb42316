/// The microphone of one booth: whose console is online, who is live, the cough key, and the
/// handover between partners. A pure state machine: the server feeds it events in the order
/// they arrive and carries out what changed, so two interpreters pressing Mic at the same
/// moment are decided by arrival order, and "both live" cannot even be represented.
///
/// ```swift
/// var mic = BoothMicrophone()
/// try mic.handle(.connect(aigerim)); try mic.handle(.connect(pavel))
/// try mic.handle(.micOn(aigerim))             // Aigerim is live
/// try mic.handle(.requestHandover(aigerim))   // "please take over"
/// try mic.handle(.acceptHandover(pavel))      // "ready"
/// try mic.handle(.switchNow(aigerim))         // Pavel is live
/// ```
public struct BoothMicrophone: Hashable, Sendable {
    /// Where a handover stands.
    public enum Handover: Hashable, Sendable {
        case none
        /// The live interpreter asked a partner to take over.
        case requested(by: InterpreterID)
        /// A partner accepted; the live interpreter may now switch.
        case accepted(by: InterpreterID)
    }

    /// What an interpreter can do at the console (or what happens to their connection).
    public enum Event: Equatable, Sendable {
        case connect(InterpreterID)
        case disconnect(InterpreterID)
        case micOn(InterpreterID)
        case micOff(InterpreterID)
        case cough(InterpreterID, held: Bool)
        case requestHandover(InterpreterID)
        case acceptHandover(InterpreterID)
        case switchNow(InterpreterID)
        /// Take the microphone without a request (the console asks for confirmation first).
        case take(InterpreterID)
        case cancelHandover(InterpreterID)
    }

    /// Why an event was refused; the state is unchanged.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        /// The interpreter's console is not connected to this booth.
        case notOnline(InterpreterID)
        /// A partner is live; use a handover (or "take").
        case micBusy(live: InterpreterID)
        /// Only the live interpreter may do this.
        case notLive(InterpreterID)
        /// There is no partner online to hand over to.
        case noPartnerOnline
        /// Nobody asked for a handover, or it is not this interpreter's to accept.
        case nothingToAccept
        /// The partner has not accepted (or has left).
        case notAccepted
        /// There is no request or acceptance of this interpreter to withdraw.
        case nothingToCancel
        /// Microphone, cough and handover keys pressed faster than any interpreter presses them.
        case tooFast

        public var description: String { explanation(naming: \.value) }

        /// The reason in words, with interpreters called by `name` (their name rather than their id).
        public func explanation(naming name: (InterpreterID) -> String) -> String {
            switch self {
            case .notOnline(let id): "\(name(id)) is not connected to this booth"
            case .micBusy(let live): "\(name(live)) is live: ask for a handover, or take the microphone"
            case .notLive(let id): "\(name(id)) is not live"
            case .noPartnerOnline: "no partner is online to take over"
            case .nothingToAccept: "there is no handover request to accept"
            case .notAccepted: "the partner has not accepted the handover"
            case .nothingToCancel: "there is no handover request or acceptance to withdraw"
            case .tooFast: "the keys were pressed too fast: at most 20 at once, then 5 a second"
            }
        }

        /// The protocol's error code for this refusal.
        public var code: ProtocolError.Code {
            switch self {
            case .notOnline: .notOnline
            case .micBusy: .micBusy
            case .notLive: .notLive
            case .noPartnerOnline: .noPartner
            case .nothingToAccept: .nothingToAccept
            case .notAccepted: .notAccepted
            case .nothingToCancel: .nothingToCancel
            case .tooFast: .tooMany
            }
        }
    }

    /// Consoles connected to the booth.
    public private(set) var online: Set<InterpreterID>
    /// The interpreter on mic, if any.
    public private(set) var live: InterpreterID?
    /// Whether the live interpreter holds the cough key.
    public private(set) var coughing: Bool
    public private(set) var handover: Handover

    /// A booth with no console connected.
    public init() {
        self.online = []
        self.live = nil
        self.coughing = false
        self.handover = .none
    }

    /// A booth in a given state, which must be consistent (see `isConsistent`); for tests and restores.
    public init(online: Set<InterpreterID>, live: InterpreterID?, coughing: Bool = false, handover: Handover = .none) {
        self.online = online
        self.live = live
        self.coughing = coughing
        self.handover = handover
        precondition(isConsistent, "inconsistent booth state: \(self)")
    }

    /// Whether the booth's audio goes out now: someone is live and not coughing.
    public var isOnAir: Bool { live != nil && !coughing }

    /// The rules every state keeps: the live interpreter is online, only a live interpreter coughs,
    /// and a handover involves the live interpreter and an online partner.
    public var isConsistent: Bool {
        if let live, !online.contains(live) { return false }
        if coughing, live == nil { return false }
        switch handover {
        case .none: return true
        case .requested(let by): return by == live
        case .accepted(let by): return live != nil && by != live && online.contains(by)
        }
    }

    /// Applies an event, or refuses it and leaves the state as it was.
    public mutating func handle(_ event: Event) throws(Refusal) {
        switch event {
        case .connect(let id):
            online.insert(id)

        case .disconnect(let id):
            online.remove(id)
            if live == id {
                // The channel falls back at once; the console comes back with its mic off.
                live = nil
                coughing = false
                handover = .none
            } else if case .accepted(let by) = handover, by == id, let live {
                handover = .requested(by: live)
            }

        case .micOn(let id):
            try requireOnline(id)
            if let live, live != id { throw .micBusy(live: live) }
            if live != id {
                live = id
                coughing = false
                handover = .none
            }

        case .micOff(let id):
            try requireOnline(id)
            guard live == id else { throw .notLive(id) }
            live = nil
            coughing = false
            handover = .none

        case .cough(let id, let held):
            try requireOnline(id)
            guard live == id else { throw .notLive(id) }
            coughing = held

        case .requestHandover(let id):
            try requireOnline(id)
            guard live == id else { throw .notLive(id) }
            guard online.contains(where: { $0 != id }) else { throw .noPartnerOnline }
            if case .accepted = handover { return }  // already accepted: asking again changes nothing
            handover = .requested(by: id)

        case .acceptHandover(let id):
            try requireOnline(id)
            guard let live, live != id else { throw .nothingToAccept }
            switch handover {
            case .requested, .accepted: handover = .accepted(by: id)
            case .none: throw .nothingToAccept
            }

        case .switchNow(let id):
            try requireOnline(id)
            guard live == id else { throw .notLive(id) }
            guard case .accepted(let partner) = handover, online.contains(partner) else { throw .notAccepted }
            live = partner
            coughing = false
            handover = .none

        case .take(let id):
            try requireOnline(id)
            if live != id {
                live = id
                coughing = false
                handover = .none
            }

        case .cancelHandover(let id):
            try requireOnline(id)
            switch handover {
            case .requested(let by) where by == id:
                handover = .none
            case .accepted(let by) where by == id:
                handover = .requested(by: live!)
            case .accepted where live == id:
                handover = .none
            default:
                throw .nothingToCancel
            }
        }
    }

    private func requireOnline(_ id: InterpreterID) throws(Refusal) {
        guard online.contains(id) else { throw .notOnline(id) }
    }
}
