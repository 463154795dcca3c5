import Foundation

/// The iopub PUB socket behind a lock, so the shell, control and executing threads can all publish.
///
/// Each message goes out at once on the calling thread; ZeroMQ's PUB socket
/// never blocks on a slow subscriber (it drops at the high-water mark).
public final class IOPubChannel: @unchecked Sendable {
    private let socket: ZMQSocket
    private let signer: HMACSigner
    private let session: String
    private let lock = NSLock()
    private var closed = false

    init(socket: ZMQSocket, signer: HMACSigner, session: String) {
        self.socket = socket
        self.signer = signer
        self.session = session
    }

    /// Publishes a message of `type` whose parent is `parent` (nil: no parent).
    public func publish(_ type: String, content: JSONObject, parent: WireMessage?, metadata: JSONObject = [:]) {
        let message = WireMessage(identities: [Data("kernel.\(session).\(type)".utf8)],
                                  header: WireMessage.makeHeader(type: type, session: session),
                                  parentHeader: parent?.header ?? [:], metadata: metadata, content: content)
        let frames = message.frames(signer: signer)
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        do { try socket.send(frames) } catch { KernelLog.error("iopub send failed: \(error)") }
    }

    /// Publishes execution_state busy or idle.
    public func status(_ state: String, parent: WireMessage?) {
        publish("status", content: ["execution_state": state], parent: parent)
    }

    /// Stops publishing and closes the socket.
    func close() {
        lock.lock(); defer { lock.unlock() }
        closed = true
        socket.close()
    }
}

/// The OutputPublisher handed to the interpreter for one execute_request.
///
/// Silent requests publish nothing. Displays without an id are sent as
/// display_data; with an id and `update`, as update_display_data.
final class CellPublisher: OutputPublisher {
    private let iopub: IOPubChannel
    private let parent: WireMessage
    private let silent: Bool
    private let executionCount: Int
    private let onResult: (String) -> Void

    init(iopub: IOPubChannel, parent: WireMessage, silent: Bool, executionCount: Int,
         onResult: @escaping (String) -> Void) {
        self.iopub = iopub; self.parent = parent; self.silent = silent
        self.executionCount = executionCount; self.onResult = onResult
    }

    func stream(_ text: String, stderr: Bool) {
        guard !silent, !text.isEmpty else { return }
        iopub.publish("stream", content: ["name": stderr ? "stderr" : "stdout", "text": text], parent: parent)
    }

    func display(_ data: [String: Any], metadata: [String: Any], displayID: String?, update: Bool) {
        guard !silent else { return }
        var content: JSONObject = ["data": data, "metadata": metadata]
        if let displayID { content["transient"] = ["display_id": displayID] }
        let type = (update && displayID != nil) ? "update_display_data" : "display_data"
        iopub.publish(type, content: content, parent: parent)
    }

    func executeResult(_ data: [String: Any], metadata: [String: Any]) {
        if let plain = data["text/plain"] as? String { onResult(plain) }
        guard !silent else { return }
        iopub.publish("execute_result",
                      content: ["execution_count": executionCount, "data": data, "metadata": metadata],
                      parent: parent)
    }

    func clearOutput(wait: Bool) {
        guard !silent else { return }
        iopub.publish("clear_output", content: ["wait": wait], parent: parent)
    }
}
