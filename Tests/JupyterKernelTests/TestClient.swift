import Foundation
import XCTest
@testable import JupyterKernel

/// A Jupyter client over real ZeroMQ sockets (DEALER shell and control, SUB iopub, REQ heartbeat).
final class TestClient {
    let context = ZMQContext()
    let shell: ZMQSocket
    let control: ZMQSocket
    let iopub: ZMQSocket
    let heartbeat: ZMQSocket
    let signer: HMACSigner
    let session = UUID().uuidString.lowercased()

    init(connection: ConnectionInfo, key: String? = nil) throws {
        signer = try HMACSigner(key: key ?? connection.key)
        shell = try ZMQSocket(context: context, kind: .dealer)
        control = try ZMQSocket(context: context, kind: .dealer)
        iopub = try ZMQSocket(context: context, kind: .sub)
        heartbeat = try ZMQSocket(context: context, kind: .req)
        try shell.connect(connection.endpoint(port: connection.shellPort))
        try control.connect(connection.endpoint(port: connection.controlPort))
        try iopub.connect(connection.endpoint(port: connection.iopubPort))
        try heartbeat.connect(connection.endpoint(port: connection.hbPort))
    }

    func close() {
        for s in [shell, control, iopub, heartbeat] { s.close() }
        context.terminate()
    }

    /// Builds a signed request of `type`.
    func request(_ type: String, _ content: JSONObject = [:]) -> WireMessage {
        WireMessage(header: WireMessage.makeHeader(type: type, session: session, username: "test"), content: content)
    }

    /// Sends a request on `socket` and returns its msg_id.
    @discardableResult
    func send(_ type: String, _ content: JSONObject = [:], on socket: ZMQSocket? = nil) throws -> String {
        let message = request(type, content)
        try (socket ?? shell).send(message.frames(signer: signer))
        return message.msgID
    }

    /// The next message on `socket` within `timeout`, verified with the client's key.
    func next(on socket: ZMQSocket, timeout: TimeInterval = 5) throws -> WireMessage? {
        guard let frames = try socket.receive(timeout: timeout) else { return nil }
        return try WireMessage.parse(frames, signer: signer)
    }

    /// The reply to `msgID` on `socket`, skipping others; fails the test on timeout.
    func reply(to msgID: String, on socket: ZMQSocket? = nil, timeout: TimeInterval = 5,
               file: StaticString = #filePath, line: UInt = #line) throws -> WireMessage {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let m = try next(on: socket ?? shell, timeout: 0.1), m.parentHeader["msg_id"] as? String == msgID {
                return m
            }
        }
        XCTFail("no reply to \(msgID) within \(timeout) s", file: file, line: line)
        throw ZMQError(operation: "reply timeout", code: 0)
    }

    /// iopub messages whose parent is `msgID`, up to and including its idle status.
    func iopubUntilIdle(_ msgID: String, timeout: TimeInterval = 5) throws -> [WireMessage] {
        var collected: [WireMessage] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let m = try next(on: iopub, timeout: 0.1) else { continue }
            guard m.parentHeader["msg_id"] as? String == msgID else { continue }
            collected.append(m)
            if m.msgType == "status", m.content["execution_state"] as? String == "idle" { return collected }
        }
        XCTFail("no idle for \(msgID) within \(timeout) s; got \(collected.map(\.msgType))")
        return collected
    }

    /// Sends kernel_info until iopub shows a status, so the SUB socket is surely subscribed; then drains.
    func waitForReady(timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let id = try send("kernel_info_request")
            _ = try reply(to: id)
            if let m = try next(on: iopub, timeout: 0.2), m.msgType == "status" {
                while try iopub.receive(timeout: 0.1) != nil {}
                return
            }
        }
        XCTFail("kernel never became ready")
    }
}
