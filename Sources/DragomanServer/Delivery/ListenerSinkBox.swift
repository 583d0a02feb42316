import NIOCore

/// Carries a `ListenerSink` across concurrency domains; every use hops to its event loop.
struct ListenerSinkBox: @unchecked Sendable {
    // @unchecked: the sink is only touched inside `run`/`submit`, which execute on its event loop.
    private let sink: ListenerSink

    init(_ sink: ListenerSink) { self.sink = sink }

    var eventLoop: any EventLoop { sink.eventLoop }

    /// The sink itself, for code that runs on its event loop.
    var sinkOnEventLoop: ListenerSink {
        sink.eventLoop.preconditionInEventLoop()
        return sink
    }

    func run(_ body: @escaping @Sendable (ListenerSink) -> Void) {
        let sink = self.sink
        let unchecked = UncheckedSink(sink: sink)
        sink.eventLoop.execute { body(unchecked.sink) }
    }

    func submit(_ body: @escaping @Sendable (ListenerSink) -> Void) async throws {
        let unchecked = UncheckedSink(sink: sink)
        try await sink.eventLoop.submit { body(unchecked.sink) }.get()
    }

    private struct UncheckedSink: @unchecked Sendable {
        let sink: ListenerSink
    }
}
