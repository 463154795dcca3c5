import Foundation

/// The shell channel: one request at a time, each wrapped in busy/idle on iopub.
extension KernelServer {
    /// Serves shell requests until shutdown, then closes the shell and stdin sockets.
    func shellLoop() {
        while !isStopping {
            drainStdin()
            guard let message = receive(on: shellSocket, channel: "shell") else { continue }
            handleShell(message)
            abortQueuedExecutions()
        }
        shellSocket.close()
        stdinSocket.close()
    }

    /// Input replies are never asked for (allow_stdin is not supported); anything on stdin is read and dropped.
    private func drainStdin() {
        while let stray = receive(on: stdinSocket, channel: "stdin", timeout: 0) {
            KernelLog.debug("stdin: ignoring \(stray.msgType)")
        }
    }

    /// Handles one shell request.
    func handleShell(_ message: WireMessage) {
        iopub.status("busy", parent: message)
        defer { iopub.status("idle", parent: message) }
        let content = message.content
        func reply(_ type: String, _ body: JSONObject) {
            send(message.reply(type: type, session: session, content: body), on: shellSocket)
        }
        switch message.msgType {
        case "kernel_info_request":
            reply("kernel_info_reply", kernelInfoContent)
        case "execute_request":
            execute(message)
        case "complete_request":
            let code = content["code"] as? String ?? ""
            let cursor = JSON.int(content["cursor_pos"]) ?? code.unicodeScalars.count
            let c = interpreter.complete(code, cursor: cursor)
            reply("complete_reply", ["status": "ok", "matches": c.matches, "cursor_start": c.cursorStart,
                                     "cursor_end": c.cursorEnd, "metadata": JSONObject()])
        case "inspect_request":
            let code = content["code"] as? String ?? ""
            let cursor = JSON.int(content["cursor_pos"]) ?? code.unicodeScalars.count
            let data = interpreter.inspect(code, cursor: cursor, detailLevel: JSON.int(content["detail_level"]) ?? 0)
            reply("inspect_reply", ["status": "ok", "found": data != nil, "data": data ?? JSONObject(),
                                    "metadata": JSONObject()])
        case "is_complete_request":
            let r = interpreter.isComplete(content["code"] as? String ?? "")
            var body: JSONObject = ["status": r.status]
            if r.status == "incomplete" { body["indent"] = r.indent }
            reply("is_complete_reply", body)
        case "history_request":
            reply("history_reply", ["status": "ok", "history": historyEntries(content)])
        case "comm_info_request":
            reply("comm_info_reply", ["status": "ok", "comms": JSONObject()])
        case "shutdown_request":
            handleShutdown(message, on: shellSocket)
        default:
            KernelLog.error("shell: unsupported request \(message.msgType) (no reply)")
        }
    }

    /// Runs one execute_request: execute_input, the cell's outputs, execute_reply.
    private func execute(_ message: WireMessage) {
        let content = message.content
        let code = content["code"] as? String ?? ""
        let silent = JSON.bool(content["silent"], default: false)
        let storeHistory = silent ? false : JSON.bool(content["store_history"], default: true)
        let stopOnError = JSON.bool(content["stop_on_error"], default: true)
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent {
            iopub.publish("execute_input", content: ["code": code, "execution_count": count], parent: message)
        }
        if storeHistory { history.add(line: count, input: code) }
        let history = self.history
        let publisher = CellPublisher(iopub: iopub, parent: message, silent: silent, executionCount: count) { text in
            if storeHistory { history.setOutput(line: count, output: text) }
        }
        let outcome = interpreter.execute(
            ExecuteRequest(code: code, silent: silent, storeHistory: storeHistory, executionCount: count),
            publisher: publisher)
        switch outcome {
        case .ok:
            send(message.reply(type: "execute_reply", session: session,
                               content: ["status": "ok", "execution_count": count,
                                         "user_expressions": JSONObject(), "payload": [Any]()]),
                 on: shellSocket)
        case .error(let ename, let evalue, let traceback):
            let error: JSONObject = ["ename": ename, "evalue": evalue, "traceback": traceback]
            if !silent { iopub.publish("error", content: error, parent: message) }
            var body = error
            body["status"] = "error"
            body["execution_count"] = count
            // Collect what is queued before replying, so that nothing sent after the client saw this error is aborted.
            if stopOnError && !silent { queuedBehindError += collectQueued() }
            send(message.reply(type: "execute_reply", session: session, content: body), on: shellSocket)
        }
    }

    /// Requests already waiting on the shell socket (or arriving within `window` of each other).
    private func collectQueued(window: TimeInterval = 0.02) -> [WireMessage] {
        var queued: [WireMessage] = []
        while let message = receive(on: shellSocket, channel: "shell", timeout: window) { queued.append(message) }
        return queued
    }

    /// Answers execute_requests that were queued behind a failed cell with an error, without running them.
    ///
    /// Other kinds of request among them are handled normally, in order.
    func abortQueuedExecutions() {
        while !queuedBehindError.isEmpty {
            let message = queuedBehindError.removeFirst()
            guard message.msgType == "execute_request" else {
                handleShell(message)
                continue
            }
            iopub.status("busy", parent: message)
            let body: JSONObject = ["status": "error", "ename": "ExecutionAborted",
                                    "evalue": "not run: an earlier cell failed",
                                    "traceback": [String](), "execution_count": executionCount]
            send(message.reply(type: "execute_reply", session: session, content: body), on: shellSocket)
            iopub.status("idle", parent: message)
        }
    }

    /// history_reply entries for a history_request: tail, range or search.
    private func historyEntries(_ content: JSONObject) -> [Any] {
        let output = JSON.bool(content["output"], default: false)
        let entries: [HistoryStore.Entry]
        switch content["hist_access_type"] as? String ?? "tail" {
        case "range":
            entries = history.range(session: JSON.int(content["session"]) ?? 0,
                                    start: JSON.int(content["start"]) ?? 0, stop: JSON.int(content["stop"]) ?? 0)
        case "search":
            entries = history.search(pattern: content["pattern"] as? String ?? "*", n: JSON.int(content["n"]),
                                     unique: JSON.bool(content["unique"], default: false))
        default:
            entries = history.tail(JSON.int(content["n"]) ?? 10)
        }
        return entries.map { e -> [Any] in
            let input: Any = output ? [e.input, e.output.map { $0 as Any } ?? NSNull()] as [Any] : e.input
            return [e.session, e.line, input]
        }
    }
}
