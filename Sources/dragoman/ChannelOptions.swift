import ArgumentParser

/// The options of every command that joins one channel of an event as a listener.
struct ChannelOptions: ParsableArguments {
    @Option(help: "Dragoman server address.")
    var server = "http://127.0.0.1:8080"
    @Option(help: "Join code of the event.")
    var event: String
    @Option(help: "Channel: floor or a language of the event.")
    var channel = "floor"
    @Option(help: "Listener PIN, if the event has one.")
    var pin: String?
}
