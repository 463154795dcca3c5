import Foundation
import XCTest
@testable import JupyterKernel

/// A KernelServer running the TestInterpreter on a background thread, with a connected TestClient.
final class KernelHarness {
    let interpreter = TestInterpreter()
    let server: KernelServer
    let client: TestClient
    private let done = DispatchSemaphore(value: 0)
    private final class Box: @unchecked Sendable { var restart: Bool?; var exited = false }
    private let result = Box()

    /// Starts a kernel on loopback tcp (ports chosen by the system) or on ipc sockets in /tmp.
    init(transport: String = "tcp") throws {
        var info = ConnectionInfo(key: UUID().uuidString)
        if transport == "ipc" {
            info.transport = "ipc"
            info.ip = "/tmp/swiftlab-test-\(UUID().uuidString.prefix(8))"
            (info.shellPort, info.iopubPort, info.stdinPort, info.controlPort, info.hbPort) = (1, 2, 3, 4, 5)
        }
        server = try KernelServer(connection: info, interpreter: interpreter)
        let thread = Thread { [server, done, result] in
            result.restart = server.run()
            result.exited = true
            done.signal()
        }
        thread.start()
        client = try TestClient(connection: server.connection)
        try client.waitForReady()
    }

    /// Waits up to `timeout` seconds for `run` to return; its restart flag, or nil if it did not return.
    func waitForExit(timeout: TimeInterval = 8) -> Bool? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return result.restart
    }

    /// Stops the kernel (if still running) and closes the client.
    func stop() {
        server.requestShutdown()
        if !result.exited { _ = done.wait(timeout: .now() + 8) }
        client.close()
    }

    /// Sends an execute_request and returns (reply, iopub messages up to idle).
    func execute(_ code: String, silent: Bool = false, storeHistory: Bool = true,
                 stopOnError: Bool = true) throws -> (WireMessage, [WireMessage]) {
        let id = try client.send("execute_request", ["code": code, "silent": silent, "store_history": storeHistory,
                                                     "user_expressions": JSONObject(), "allow_stdin": false,
                                                     "stop_on_error": stopOnError])
        let reply = try client.reply(to: id)
        return (reply, try client.iopubUntilIdle(id))
    }
}
