import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs one `LocalEngine` for the server's lifetime: started on the first `demand()` (a server whose events have
/// no machine booth never pays for a Whisper model in memory), restarted with `RestartBackoff` whenever it
/// exits, and sent SIGTERM (then SIGKILL) when the server shuts down. The engine itself is told to exit if the
/// server dies without saying so (the Whisper worker's `--exit-with-parent`).
final class LocalEngineSupervisor: Service, Sendable {
    let engine: LocalEngine
    let logger: Logger
    private let demanded: AsyncStream<Void>
    private let demandContinuation: AsyncStream<Void>.Continuation
    private let running = NIOLockedValueBox<Process?>(nil)

    init(engine: LocalEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
        (demanded, demandContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// A machine booth needs the engine: starts it if it is not started yet.
    func demand() { demandContinuation.yield() }

    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            var waiting = demanded.makeAsyncIterator()
            guard await waiting.next() != nil else { return }
            var backoff = RestartBackoff()
            while !Task.isCancelled {
                let started = ContinuousClock.now
                let status = await runOnce()
                guard !Task.isCancelled else { return }
                let ran = ContinuousClock.now - started
                let seconds = Double(ran.components.seconds) + Double(ran.components.attoseconds) / 1e18
                let delay = backoff.stopped(afterRunning: seconds)
                logger.error("\(engine.name) stopped (\(status)) after \(Int(seconds)) s; starting it again in \(Int(delay)) s")
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Starts the engine and waits for it to exit (or for cancellation, which stops it); returns how it ended.
    private func runOnce() async -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engine.executable)
        process.arguments = engine.arguments
        process.standardInput = FileHandle.nullDevice
        let (exited, exit) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { process in
            let how =
                process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            exit.yield(how)
            exit.finish()
        }
        do {
            try process.run()
        } catch {
            return "could not start \(engine.executable): \(error.localizedDescription)"
        }
        running.withLockedValue { $0 = process }
        logger.notice("started \(engine.name) (pid \(process.processIdentifier))")
        defer { running.withLockedValue { $0 = nil } }
        return await withTaskCancellationHandler {
            var iterator = exited.makeAsyncIterator()
            return await iterator.next() ?? "stopped"
        } onCancel: {
            Self.stop(process)
        }
    }

    /// SIGTERM, and SIGKILL if it is still there 2 s later.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }
}
