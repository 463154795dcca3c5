import Foundation
import CZeroMQ

/// A Jupyter kernel: binds the five sockets of a connection file and serves an interpreter over them.
///
/// Threads: the shell thread reads shell (and stdin) requests and runs cells;
/// the control thread answers interrupt and shutdown even while a cell runs;
/// the heartbeat thread echoes pings. iopub is shared behind a lock
/// (`IOPubChannel`). Every blocking poll times out after `pollInterval`, so
/// a shutdown always finishes.
public final class KernelServer: @unchecked Sendable {
    /// The connection as bound: tcp ports given as 0 are replaced by the real ones.
    public private(set) var connection: ConnectionInfo
    /// This kernel's session id (the header's "session" on everything it sends).
    public let session = UUID().uuidString.lowercased()

    let interpreter: KernelInterpreter
    let signer: HMACSigner
    let history: HistoryStore
    let replay = ReplayGuard()
    let iopub: IOPubChannel
    let pollInterval: TimeInterval = 0.1

    private let context = ZMQContext()
    let shellSocket: ZMQSocket
    let controlSocket: ZMQSocket
    let stdinSocket: ZMQSocket
    private let heartbeatSocket: ZMQSocket

    /// Cells run so far with store_history (the next one gets executionCount + 1).
    var executionCount = 0
    /// Requests found queued when a cell failed with stop_on_error (shell thread only).
    var queuedBehindError: [WireMessage] = []
    private let state = NSLock()
    private var stopping = false
    private var restartRequested = false
    private var signalSource: DispatchSourceSignal?
    private let finished = DispatchGroup()

    /// Binds every socket of `connection`; throws when a bind fails or the signing scheme is unknown.
    public init(connection: ConnectionInfo, interpreter: KernelInterpreter, history: HistoryStore = HistoryStore()) throws {
        self.interpreter = interpreter
        self.history = history
        self.signer = try HMACSigner(key: connection.key, scheme: connection.signatureScheme)
        shellSocket = try ZMQSocket(context: context, kind: .router)
        controlSocket = try ZMQSocket(context: context, kind: .router)
        stdinSocket = try ZMQSocket(context: context, kind: .router)
        heartbeatSocket = try ZMQSocket(context: context, kind: .rep)
        let iopubSocket = try ZMQSocket(context: context, kind: .pub)
        // Jupyter clients name their shell/control/stdin sockets after their session, so a client that
        // reconnects (a new notebook tab, `jupyter console --existing`) reuses an identity the ROUTER may
        // still hold: without handover the new connection is silently ignored and every request is lost.
        for router in [shellSocket, controlSocket, stdinSocket] { try router.setInt(ZMQ_ROUTER_HANDOVER, 1) }
        var bound = connection
        func bind(_ socket: ZMQSocket, _ port: Int) throws -> Int {
            let endpoint = try socket.bind(connection.endpoint(port: port))
            if connection.transport == "tcp", let p = endpoint.split(separator: ":").last.flatMap({ Int($0) }) { return p }
            return port
        }
        bound.shellPort = try bind(shellSocket, connection.shellPort)
        bound.iopubPort = try bind(iopubSocket, connection.iopubPort)
        bound.stdinPort = try bind(stdinSocket, connection.stdinPort)
        bound.controlPort = try bind(controlSocket, connection.controlPort)
        bound.hbPort = try bind(heartbeatSocket, connection.hbPort)
        self.connection = bound
        iopub = IOPubChannel(socket: iopubSocket, signer: signer, session: session)
    }

    /// Whether a shutdown has been requested.
    var isStopping: Bool {
        state.lock(); defer { state.unlock() }
        return stopping
    }

    /// Asks the kernel to stop (from any thread): interrupts a running cell, and `run` returns soon after.
    public func requestShutdown(restart: Bool = false) {
        state.lock()
        stopping = true
        restartRequested = restartRequested || restart
        state.unlock()
        interpreter.interrupt()
    }

    /// Routes SIGINT to the interpreter's interrupt instead of ending the process.
    public func installSIGINTHandler() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            KernelLog.debug("SIGINT: interrupting the running cell")
            self?.interpreter.interrupt()
        }
        source.resume()
        signalSource = source
    }

    /// Serves until shutdown; returns whether a restart was asked for. Call once.
    @discardableResult
    public func run() -> Bool {
        iopub.status("starting", parent: nil)
        startThread(name: "kernel-heartbeat") { [self] in heartbeatLoop() }
        startThread(name: "kernel-control") { [self] in controlLoop() }
        startThread(name: "kernel-shell", stackSize: 64 << 20) { [self] in shellLoop() }
        while !isStopping { usleep(50_000) }
        // A cell that ignores the interrupt must not keep the process alive forever.
        let clean = finished.wait(timeout: .now() + 5) == .success
        if !clean { KernelLog.error("a cell did not stop within 5 s of shutdown; leaving without waiting") }
        state.lock(); let restart = restartRequested; state.unlock()
        interpreter.shutdown(restart: restart)
        iopub.close()
        if clean { context.terminate() }
        signalSource?.cancel()
        return restart
    }

    private func startThread(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.name = name
        if stackSize > 0 { thread.stackSize = stackSize }
        thread.start()
    }

    private func heartbeatLoop() {
        while !isStopping {
            do {
                guard let ping = try heartbeatSocket.receive(timeout: pollInterval) else { continue }
                try heartbeatSocket.send(ping)
            } catch {
                KernelLog.error("heartbeat: \(error)")
            }
        }
        heartbeatSocket.close()
    }

    private func controlLoop() {
        while !isStopping {
            guard let message = receive(on: controlSocket, channel: "control") else { continue }
            switch message.msgType {
            case "interrupt_request":
                interpreter.interrupt()
                send(message.reply(type: "interrupt_reply", session: session, content: ["status": "ok"]), on: controlSocket)
            case "shutdown_request":
                handleShutdown(message, on: controlSocket)
            case "kernel_info_request":
                send(message.reply(type: "kernel_info_reply", session: session, content: kernelInfoContent), on: controlSocket)
            default:
                KernelLog.debug("control: ignoring \(message.msgType)")
            }
        }
        controlSocket.close()
    }

    /// Receives and verifies one message from `socket`; nil on timeout or when it was dropped.
    func receive(on socket: ZMQSocket, channel: String, timeout: TimeInterval? = nil) -> WireMessage? {
        let frames: [Data]
        do {
            guard let f = try socket.receive(timeout: timeout ?? pollInterval) else { return nil }
            frames = f
        } catch {
            KernelLog.error("\(channel): receive failed: \(error)")
            return nil
        }
        do {
            let message = try WireMessage.parse(frames, signer: signer, replay: replay)
            KernelLog.debug("\(channel): \(message.msgType)")
            return message
        } catch {
            KernelLog.error("\(channel): dropped a message: \(error)")
            return nil
        }
    }

    /// Signs and sends `message` on a ROUTER socket owned by the calling thread.
    func send(_ message: WireMessage, on socket: ZMQSocket) {
        do { try socket.send(message.frames(signer: signer)) } catch {
            KernelLog.error("send \(message.msgType) failed: \(error)")
        }
    }

    /// Answers a shutdown_request, announces it on iopub and stops the kernel.
    func handleShutdown(_ message: WireMessage, on socket: ZMQSocket) {
        let restart = JSON.bool(message.content["restart"], default: false)
        let content: JSONObject = ["status": "ok", "restart": restart]
        send(message.reply(type: "shutdown_reply", session: session, content: content), on: socket)
        iopub.publish("shutdown_reply", content: content, parent: message)
        requestShutdown(restart: restart)
    }

    /// kernel_info_reply's content from the interpreter's facts.
    var kernelInfoContent: JSONObject {
        let info = interpreter.info
        return [
            "status": "ok",
            "protocol_version": WireMessage.protocolVersion,
            "implementation": info.implementation,
            "implementation_version": info.implementationVersion,
            "language_info": [
                "name": info.languageName,
                "version": info.languageVersion,
                "mimetype": info.mimetype,
                "file_extension": info.fileExtension,
                "pygments_lexer": info.pygmentsLexer,
                "codemirror_mode": info.codemirrorMode,
                "nbconvert_exporter": "script",
            ] as JSONObject,
            "banner": info.banner,
            "help_links": info.helpLinks.map { ["text": $0.text, "url": $0.url] },
            "debugger": false,
        ]
    }
}
