import DragomanCore
import Testing

struct BoothMicrophoneStateMachineTests {
    static let a = InterpreterID("A")
    static let b = InterpreterID("B")
    static let c = InterpreterID("C")
    static let everyone = [a, b, c]

    /// Every consistent state of a booth whose consoles are among A, B and C.
    static var allStates: [BoothMicrophone] {
        var states: [BoothMicrophone] = []
        for mask in 0..<8 {
            let online = Set(everyone.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
            for live in [nil] + online.sorted() {
                for coughing in live == nil ? [false] : [false, true] {
                    var handovers: [BoothMicrophone.Handover] = [.none]
                    if let live {
                        handovers.append(.requested(by: live))
                        handovers += online.sorted().filter { $0 != live }.map { .accepted(by: $0) }
                    }
                    for handover in handovers {
                        states.append(BoothMicrophone(online: online, live: live, coughing: coughing, handover: handover))
                    }
                }
            }
        }
        return states
    }

    /// Every event by every interpreter, the cough key pressed and released.
    static var allEvents: [BoothMicrophone.Event] {
        everyone.flatMap { id -> [BoothMicrophone.Event] in
            [
                .connect(id), .disconnect(id), .micOn(id), .micOff(id), .cough(id, held: true), .cough(id, held: false),
                .requestHandover(id), .acceptHandover(id), .switchNow(id), .take(id), .cancelHandover(id),
            ]
        }
    }

    /// Every state × every event: the result is consistent, a refusal changes nothing, and the rules of the booth hold.
    @Test func everyStateAndEvent() {
        let states = Self.allStates
        let events = Self.allEvents
        #expect(states.count == 80)
        var refused = 0
        for state in states {
            for event in events {
                var next = state
                do {
                    try next.handle(event)
                } catch {
                    refused += 1
                    #expect(next == state, "a refused \(event) changed \(state)")
                    checkRefusal(error, of: event, in: state)
                    continue
                }
                #expect(next.isConsistent, "\(event) on \(state) gave \(next)")
                checkOutcome(of: event, from: state, to: next)
            }
        }
        #expect(refused > 0)
    }

    private func actor(of event: BoothMicrophone.Event) -> InterpreterID {
        switch event {
        case .connect(let id), .disconnect(let id), .micOn(let id), .micOff(let id), .cough(let id, _), .requestHandover(let id),
            .acceptHandover(let id), .switchNow(let id), .take(let id), .cancelHandover(let id):
            id
        }
    }

    private func checkRefusal(_ refusal: BoothMicrophone.Refusal, of event: BoothMicrophone.Event, in state: BoothMicrophone) {
        let id = actor(of: event)
        switch event {
        case .connect, .disconnect:
            Issue.record("\(event) must never be refused (\(refusal))")
        case .micOn:
            // Refused only when offline or when a partner is live: both-live is impossible.
            #expect(!state.online.contains(id) || (state.live != nil && state.live != id), "\(event) refused in \(state)")
        case .take:
            #expect(!state.online.contains(id))
        default:
            break
        }
    }

    private func checkOutcome(of event: BoothMicrophone.Event, from state: BoothMicrophone, to next: BoothMicrophone) {
        let id = actor(of: event)
        switch event {
        case .connect:
            #expect(next.online == state.online.union([id]))
            #expect(next.live == state.live)
        case .disconnect:
            #expect(!next.online.contains(id))
            if state.live == id {
                #expect(next.live == nil && !next.coughing && next.handover == .none, "the channel must fall back when the live console drops")
            } else {
                #expect(next.live == state.live && next.coughing == state.coughing)
            }
        case .micOn, .take:
            #expect(next.live == id)
            if state.live != id { #expect(!next.coughing && next.handover == .none) }
        case .micOff:
            #expect(state.live == id && next.live == nil && next.handover == .none)
        case .cough(_, let held):
            #expect(state.live == id && next.coughing == held && next.live == id)
        case .requestHandover:
            #expect(state.live == id && next.live == id)
            #expect(next.online.contains { $0 != id })
        case .acceptHandover:
            #expect(next.handover == .accepted(by: id) && next.live == state.live && next.live != id)
        case .switchNow:
            guard case .accepted(let partner) = state.handover else {
                Issue.record("switch succeeded without an accepted partner in \(state)")
                return
            }
            #expect(next.live == partner && next.handover == .none && !next.coughing)
        case .cancelHandover:
            #expect(next.live == state.live && next.handover != state.handover)
        }
    }

    /// The whole handover as interpreters do it: request, accept, switch now.
    @Test func handoverRequestAcceptSwitch() throws {
        var mic = BoothMicrophone()
        try mic.handle(.connect(Self.a))
        try mic.handle(.connect(Self.b))
        try mic.handle(.micOn(Self.a))
        try mic.handle(.requestHandover(Self.a))
        #expect(mic.handover == .requested(by: Self.a))
        try mic.handle(.acceptHandover(Self.b))
        #expect(mic.handover == .accepted(by: Self.b))
        #expect(mic.live == Self.a, "accepting does not switch: the live interpreter finishes the sentence")
        try mic.handle(.switchNow(Self.a))
        #expect(mic.live == Self.b)
        #expect(mic.handover == .none)
    }

    /// Two interpreters pressing Mic at once: the first event the server sees wins, the second is refused.
    @Test func twoMicsAtOnceExactlyOneWins() throws {
        var mic = BoothMicrophone(online: [Self.a, Self.b], live: nil)
        try mic.handle(.micOn(Self.b))
        #expect(throws: BoothMicrophone.Refusal.micBusy(live: Self.b)) { try mic.handle(.micOn(Self.a)) }
        #expect(mic.live == Self.b)
    }

    /// A partner who accepted and then disconnected cannot be switched to.
    @Test func handoverToADisconnectedPartnerIsRefused() throws {
        var mic = BoothMicrophone(online: [Self.a, Self.b], live: Self.a, handover: .accepted(by: Self.b))
        try mic.handle(.disconnect(Self.b))
        #expect(mic.handover == .requested(by: Self.a))
        #expect(throws: BoothMicrophone.Refusal.notAccepted) { try mic.handle(.switchNow(Self.a)) }
        #expect(throws: BoothMicrophone.Refusal.noPartnerOnline) { try mic.handle(.requestHandover(Self.a)) }
        #expect(mic.live == Self.a)
    }

    /// The live console dropping takes the booth off air; coming back, its mic is off.
    @Test func liveConsoleDroppingGoesOffAir() throws {
        var mic = BoothMicrophone(online: [Self.a], live: Self.a, coughing: true)
        try mic.handle(.disconnect(Self.a))
        #expect(!mic.isOnAir && mic.live == nil)
        try mic.handle(.connect(Self.a))
        #expect(mic.live == nil)
    }

    /// The cough key mutes only while held, and only the live interpreter has one.
    @Test func coughMutesWhileHeld() throws {
        var mic = BoothMicrophone(online: [Self.a, Self.b], live: Self.a)
        try mic.handle(.cough(Self.a, held: true))
        #expect(!mic.isOnAir)
        try mic.handle(.cough(Self.a, held: false))
        #expect(mic.isOnAir)
        #expect(throws: BoothMicrophone.Refusal.notLive(Self.b)) { try mic.handle(.cough(Self.b, held: true)) }
    }

    /// A credential of another booth never appears here: an interpreter not connected can do nothing.
    @Test func offlineInterpretersCannotAct() {
        var mic = BoothMicrophone(online: [Self.a], live: Self.a)
        #expect(throws: BoothMicrophone.Refusal.notOnline(Self.c)) { try mic.handle(.take(Self.c)) }
        #expect(mic.live == Self.a)
    }
}
