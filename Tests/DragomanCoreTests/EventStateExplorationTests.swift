import DragomanCore
import Testing

/// Every state a small event can reach (two staffed booths, one empty, consoles that connect, drop
/// and reconnect, mics, coughs, handovers, relay, the floor language), explored breadth-first, with
/// the rules every change must keep checked on every transition.
@Suite struct EventStateExplorationTests {
    static let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!, en = LanguageTag("en")!
    static let a = InterpreterID("i-a"), b = InterpreterID("i-b"), c = InterpreterID("i-c")

    /// One thing that can happen to the event.
    enum Step {
        case floor(LanguageTag?)
        case connect(InterpreterID, UInt64)
        case disconnect(InterpreterID, UInt64)
        case microphone(BoothMicrophone.Event, InterpreterID)
        case source(BoothSource, LanguageTag)
        case offAir(InterpreterID)
        case machine(MachineStatus, LanguageTag)

        func apply(to state: inout EventState) -> [EventNotice]? {
            switch self {
            case .floor(let language): return state.setFloorLanguage(language, at: 7)
            case .connect(let id, let connection): return state.connectConsole(id, as: ConnectionID(connection))
            case .disconnect(let id, let connection): return state.disconnectConsole(id, connection: ConnectionID(connection))
            case .microphone(let event, let id): return try? state.microphone(event, from: id)
            case .source(let source, let booth): return try? state.setSource(source, of: booth)
            case .offAir(let id): return state.takeOffAir(id)
            case .machine(let status, let booth): return state.setMachineStatus(status, of: booth)
            }
        }
    }

    static let steps: [Step] = {
        var steps: [Step] = [.floor(nil), .floor(ru), .floor(kk), .floor(en)]
        steps += [.connect(a, 1), .connect(a, 2), .disconnect(a, 1), .connect(b, 3), .disconnect(b, 3), .connect(c, 4), .disconnect(c, 4)]
        for id in [a, b] {
            steps += [
                .microphone(.micOn(id), id), .microphone(.micOff(id), id), .microphone(.requestHandover(id), id),
                .microphone(.acceptHandover(id), id), .microphone(.switchNow(id), id), .microphone(.take(id), id),
            ]
        }
        steps += [
            .microphone(.cough(a, held: true), a), .microphone(.cough(a, held: false), a),
            .microphone(.micOn(c), c), .microphone(.micOff(c), c), .offAir(a), .offAir(c),
            .source(.relay(ru), en), .source(.floor, en), .source(.relay(en), ru), .source(.floor, ru),
            .machine(.ready, ru), .machine(.failed("down"), ru),
        ]
        return steps
    }()

    static func start() -> EventState {
        let definition = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "S",
            languages: [ru, kk, en],
            machineBooths: [ru],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        let people = [
            Interpreter(id: a, name: "A", booth: ru, key: SecretDigest(of: "AAAAAAAA"), createdAt: 0),
            Interpreter(id: b, name: "B", booth: ru, key: SecretDigest(of: "BBBBBBBB"), createdAt: 0),
            Interpreter(id: c, name: "C", booth: en, key: SecretDigest(of: "CCCCCCCC"), createdAt: 0),
        ]
        return EventState(definition: definition, interpreters: people)
    }

    /// What tells two states apart.
    struct Fingerprint: Hashable {
        var floorLanguage: LanguageTag?
        var desks: [LanguageTag: BoothDesk]
        var consoles: [ConnectionID?]
    }

    static func fingerprint(_ state: EventState) -> Fingerprint {
        Fingerprint(floorLanguage: state.floorLanguage, desks: state.desks, consoles: [a, b, c].map { state.console(of: $0) })
    }

    @Test func everyReachableStateKeepsTheRules() {
        var seen: Set<Fingerprint> = [Self.fingerprint(Self.start())]
        var queue = [Self.start()]
        var transitions = 0
        var violations: [String] = []
        var index = 0
        while index < queue.count {
            let state = queue[index]
            index += 1
            for step in Self.steps {
                var next = state
                guard let notices = step.apply(to: &next) else { continue }
                transitions += 1
                violations += Self.violations(before: state, after: next, notices: notices, step: step)
                if seen.insert(Self.fingerprint(next)).inserted { queue.append(next) }
            }
        }
        #expect(violations.isEmpty, "\(violations.count) violations, the first: \(violations.prefix(5))")
        // The space is small enough to walk whole; a much smaller count means the steps stopped doing anything.
        #expect(queue.count > 1_000)
        #expect(transitions > 20_000)
    }

    /// The rules every change keeps, as the list of those it broke.
    static func violations(before: EventState, after: EventState, notices: [EventNotice], step: Step) -> [String] {
        var broken: [String] = []
        func require(_ rule: Bool, _ what: @autoclosure () -> String) { if !rule { broken.append("\(what()) after \(step)") } }
        // Each channel hears exactly one source, and it is the one the routing rule names.
        for channel in after.definition.channels {
            let sources = after.routes.filter { $0.value.channels.contains(channel) }.map(\.key)
            require(sources == [ChannelRouting.carrying(channel, in: after.routing).source], "\(channel) hears \(sources)")
        }
        // A booth's route speaks for its live interpreter, muted exactly while they cough.
        for (booth, desk) in after.desks {
            let route = after.route(.interpreter(booth))
            require(route.speaker == desk.microphone.live && route.muted == desk.microphone.coughing, "\(booth)'s route \(route)")
        }
        // Listeners are told exactly the channels whose carrying changed, with what they carry now; an alert comes first.
        var told: [ChannelID: ControlMessages.CarryingMessage] = [:]
        var alerted: [ChannelID] = []
        for notice in notices {
            switch notice {
            case .channel(let channel, .carrying(let message)): told[channel] = message
            case .channel(let channel, .alert(let alert)):
                require(told[channel] == nil, "alert after carrying on \(channel)")
                require(alert.interpretation == after.carrying(channel).interpretation, "alert on \(channel) says \(alert.interpretation)")
                alerted.append(channel)
            default: break
            }
        }
        for channel in after.definition.channels {
            let changed = before.carrying(channel) != after.carrying(channel)
            require((told[channel] != nil) == changed, "\(channel) told \(told[channel] != nil), changed \(changed)")
            if let message = told[channel] { require(message == after.carrying(channel), "\(channel) told \(message)") }
        }
        // Alerts only when the floor changed language, on language channels whose source changed.
        let expectedAlerts = after.definition.channels.filter { channel in
            guard case .floor = step, channel != .floor else { return false }
            return ChannelRouting.carrying(channel, in: before.routing) != ChannelRouting.carrying(channel, in: after.routing)
        }
        require(Set(alerted) == Set(expectedAlerts), "alerts \(alerted), expected \(expectedAlerts)")
        // The audio path is told when, and only when, a route moved.
        require(notices.contains(.routesChanged) == (before.routes != after.routes), "routesChanged")
        // Both live at once cannot even be represented; each booth's microphone stays consistent.
        for (booth, desk) in after.desks { require(desk.microphone.isConsistent, "\(booth)'s microphone \(desk.microphone)") }
        return broken
    }
}
