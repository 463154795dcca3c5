import Foundation
import XCTest
@testable import JupyterKernel

/// A real KernelServer driven through real ZeroMQ sockets on loopback.
final class KernelServerTests: XCTestCase {
    private var harness: KernelHarness!

    override func setUpWithError() throws {
        harness = try KernelHarness()
    }

    override func tearDown() {
        harness?.stop()
        harness = nil
    }

    func testKernelInfoWithBusyIdle() throws {
        let c = harness.client
        let id = try c.send("kernel_info_request")
        let reply = try c.reply(to: id)
        XCTAssertEqual(reply.msgType, "kernel_info_reply")
        XCTAssertEqual(reply.content["protocol_version"] as? String, "5.3")
        XCTAssertEqual(reply.content["implementation"] as? String, "test-kernel")
        XCTAssertEqual(reply.content["banner"] as? String, "test banner")
        let language = reply.content["language_info"] as? JSONObject
        XCTAssertEqual(language?["name"] as? String, "testlang")
        XCTAssertEqual(language?["file_extension"] as? String, ".tl")
        XCTAssertEqual(language?["mimetype"] as? String, "text/plain")
        XCTAssertEqual((reply.content["help_links"] as? [JSONObject])?.first?["text"] as? String, "Docs")
        XCTAssertEqual(reply.header["session"] as? String, harness.server.session)
        let iopub = try c.iopubUntilIdle(id)
        XCTAssertEqual(iopub.map { $0.content["execution_state"] as? String }, ["busy", "idle"])
        // kernel_info also answers on control.
        let cid = try c.send("kernel_info_request", on: c.control)
        XCTAssertEqual(try c.reply(to: cid, on: c.control).msgType, "kernel_info_reply")
    }

    func testExecuteMessageOrder() throws {
        let (reply, iopub) = try harness.execute("print hello")
        XCTAssertEqual(iopub.map(\.msgType), ["status", "execute_input", "stream", "status"])
        XCTAssertEqual(iopub.first?.content["execution_state"] as? String, "busy")
        XCTAssertEqual(iopub[1].content["code"] as? String, "print hello")
        XCTAssertEqual(JSON.int(iopub[1].content["execution_count"]), 1)
        XCTAssertEqual(iopub[2].content["name"] as? String, "stdout")
        XCTAssertEqual(iopub[2].content["text"] as? String, "hello\n")
        XCTAssertEqual(reply.content["status"] as? String, "ok")
        XCTAssertEqual(JSON.int(reply.content["execution_count"]), 1)
        let (second, _) = try harness.execute("warn careful")
        XCTAssertEqual(JSON.int(second.content["execution_count"]), 2)
        XCTAssertEqual(harness.interpreter.executed, ["print hello", "warn careful"])
    }

    func testRichOutputs() throws {
        let (_, shown) = try harness.execute("show")
        let outputs = shown.filter { $0.msgType != "status" && $0.msgType != "execute_input" }
        XCTAssertEqual(outputs.map(\.msgType), ["display_data", "display_data", "update_display_data"])
        XCTAssertEqual((outputs[0].content["data"] as? JSONObject)?["image/png"] as? String, "iVBORw0KGgo=")
        XCTAssertNil(outputs[0].content["transient"])
        XCTAssertEqual((outputs[1].content["transient"] as? JSONObject)?["display_id"] as? String, "progress-1")
        XCTAssertEqual((outputs[2].content["transient"] as? JSONObject)?["display_id"] as? String, "progress-1")
        XCTAssertEqual((outputs[2].content["data"] as? JSONObject)?["text/plain"] as? String, "step 2")

        let (_, result) = try harness.execute("result 42")
        let executeResult = result.first { $0.msgType == "execute_result" }
        XCTAssertEqual((executeResult?.content["data"] as? JSONObject)?["text/plain"] as? String, "42")
        XCTAssertEqual(JSON.int(executeResult?.content["execution_count"]), 2)

        let (_, cleared) = try harness.execute("clear wait")
        XCTAssertEqual(JSON.bool(cleared.first { $0.msgType == "clear_output" }?.content["wait"], default: false), true)
    }

    func testErrorAbortsQueuedCells() throws {
        let c = harness.client
        let ids = try ["fail", "print a", "print b"].map {
            try c.send("execute_request", ["code": $0, "silent": false, "store_history": true, "stop_on_error": true])
        }
        let replies = try ids.map { try c.reply(to: $0) }
        XCTAssertEqual(replies[0].content["status"] as? String, "error")
        XCTAssertEqual(replies[0].content["ename"] as? String, "TestError")
        XCTAssertEqual(replies[0].content["traceback"] as? [String], ["line 1: fail", "TestError: it failed"])
        XCTAssertEqual(replies[1].content["status"] as? String, "error")
        XCTAssertEqual(replies[1].content["ename"] as? String, "ExecutionAborted")
        XCTAssertEqual(replies[2].content["ename"] as? String, "ExecutionAborted")
        let errors = try c.iopubUntilIdle(ids[0]).filter { $0.msgType == "error" }
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.content["evalue"] as? String, "it failed")
        XCTAssertEqual(harness.interpreter.executed, ["fail"])

        // Without stop_on_error the next cell runs.
        let (failed, _) = try harness.execute("fail", stopOnError: false)
        XCTAssertEqual(failed.content["status"] as? String, "error")
        let (ok, _) = try harness.execute("print c")
        XCTAssertEqual(ok.content["status"] as? String, "ok")
        XCTAssertEqual(harness.interpreter.executed, ["fail", "fail", "print c"])
    }

    func testSilentPublishesNothingAndKeepsCount() throws {
        let (reply, iopub) = try harness.execute("print quiet", silent: true)
        XCTAssertEqual(iopub.map(\.msgType), ["status", "status"])
        XCTAssertEqual(JSON.int(reply.content["execution_count"]), 0)
        let (next, _) = try harness.execute("print loud")
        XCTAssertEqual(JSON.int(next.content["execution_count"]), 1)
        let (noStore, _) = try harness.execute("print unstored", storeHistory: false)
        XCTAssertEqual(JSON.int(noStore.content["execution_count"]), 1)
        XCTAssertEqual(harness.interpreter.executed, ["print quiet", "print loud", "print unstored"])
    }

    func testBadSignatureAndReplayAreNotExecuted() throws {
        let forger = try TestClient(connection: harness.server.connection, key: "wrong-key")
        defer { forger.close() }
        try forger.send("execute_request", ["code": "print forged", "silent": false])
        XCTAssertNil(try forger.next(on: forger.shell, timeout: 1.0), "a forged request got a reply")

        // A genuine message sent twice runs once.
        let c = harness.client
        let message = c.request("execute_request", ["code": "print once", "silent": false, "store_history": true])
        try c.shell.send(message.frames(signer: c.signer))
        _ = try c.reply(to: message.msgID)
        try c.shell.send(message.frames(signer: c.signer))
        XCTAssertNil(try c.next(on: c.shell, timeout: 1.0), "a replayed request got a reply")
        XCTAssertEqual(harness.interpreter.executed, ["print once"])
    }

    func testInterruptViaControlWhileExecuting() throws {
        let c = harness.client
        let started = Date()
        let id = try c.send("execute_request", ["code": "loop", "silent": false, "store_history": true])
        // The cell's first output arrives while it is still running.
        var sawStarted = false
        while !sawStarted && Date().timeIntervalSince(started) < 5 {
            if let m = try c.next(on: c.iopub, timeout: 0.1), m.msgType == "stream" {
                sawStarted = (m.content["text"] as? String) == "started\n"
            }
        }
        XCTAssertTrue(sawStarted)
        let iid = try c.send("interrupt_request", on: c.control)
        XCTAssertEqual(try c.reply(to: iid, on: c.control).content["status"] as? String, "ok")
        let reply = try c.reply(to: id, timeout: 3)
        XCTAssertEqual(reply.content["status"] as? String, "error")
        XCTAssertEqual(reply.content["ename"] as? String, "Interrupted")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertGreaterThanOrEqual(harness.interpreter.interruptCount, 1)
        // The kernel keeps working afterwards.
        let (after, _) = try harness.execute("print still here")
        XCTAssertEqual(after.content["status"] as? String, "ok")
    }

    func testShutdownWhileExecuting() throws {
        let c = harness.client
        _ = try c.send("execute_request", ["code": "loop", "silent": false, "store_history": true])
        usleep(200_000)
        let sid = try c.send("shutdown_request", ["restart": true], on: c.control)
        let reply = try c.reply(to: sid, on: c.control)
        XCTAssertEqual(JSON.bool(reply.content["restart"], default: false), true)
        XCTAssertEqual(harness.waitForExit(), true)
        XCTAssertEqual(harness.interpreter.shutdownCalls, [true])
    }

    func testCompleteInspectIsCompleteHistoryCommInfo() throws {
        let c = harness.client
        var id = try c.send("complete_request", ["code": "pr", "cursor_pos": 2])
        var r = try c.reply(to: id)
        XCTAssertEqual(r.content["matches"] as? [String], ["print"])
        XCTAssertEqual(JSON.int(r.content["cursor_start"]), 0)
        XCTAssertEqual(JSON.int(r.content["cursor_end"]), 2)

        id = try c.send("inspect_request", ["code": "print", "cursor_pos": 5, "detail_level": 0])
        r = try c.reply(to: id)
        XCTAssertEqual(JSON.bool(r.content["found"], default: false), true)
        XCTAssertEqual((r.content["data"] as? JSONObject)?["text/plain"] as? String, "print TEXT: writes TEXT to stdout")
        id = try c.send("inspect_request", ["code": "zzz", "cursor_pos": 3, "detail_level": 0])
        XCTAssertEqual(JSON.bool(try c.reply(to: id).content["found"], default: true), false)

        id = try c.send("is_complete_request", ["code": "print a \\"])
        r = try c.reply(to: id)
        XCTAssertEqual(r.content["status"] as? String, "incomplete")
        XCTAssertEqual(r.content["indent"] as? String, "  ")
        id = try c.send("is_complete_request", ["code": "print a"])
        XCTAssertEqual(try c.reply(to: id).content["status"] as? String, "complete")

        _ = try harness.execute("result 1")
        _ = try harness.execute("print x")
        _ = try harness.execute("result 2")
        id = try c.send("history_request", ["output": true, "raw": true, "hist_access_type": "tail", "n": 2])
        let tail = try c.reply(to: id).content["history"] as? [[Any]]
        XCTAssertEqual(tail?.count, 2)
        XCTAssertEqual(tail?.last?[1] as? Int, 3)
        XCTAssertEqual((tail?.last?[2] as? [Any])?.last as? String, "2")
        id = try c.send("history_request", ["output": false, "raw": true, "hist_access_type": "range",
                                            "session": 0, "start": 2, "stop": 3])
        XCTAssertEqual((try c.reply(to: id).content["history"] as? [[Any]])?.map { $0[2] as? String }, ["print x"])
        id = try c.send("history_request", ["output": false, "raw": true, "hist_access_type": "search",
                                            "pattern": "result*", "unique": false])
        XCTAssertEqual((try c.reply(to: id).content["history"] as? [[Any]])?.count, 2)

        id = try c.send("comm_info_request")
        r = try c.reply(to: id)
        XCTAssertEqual(r.content["status"] as? String, "ok")
        XCTAssertEqual((r.content["comms"] as? JSONObject)?.count, 0)
    }

    func testOutputsArriveWhileTheCellRuns() throws {
        let c = harness.client
        let id = try c.send("execute_request", ["code": "ticks 6", "silent": false, "store_history": true])
        var delays: [Double] = []
        var replied = false
        let deadline = Date().addingTimeInterval(5)
        while delays.count < 6 && Date() < deadline {
            guard let m = try c.next(on: c.iopub, timeout: 0.1), m.msgType == "stream",
                  let sent = Double(m.content["text"] as? String ?? "") else { continue }
            delays.append(Date().timeIntervalSince1970 - sent)
            // The cell takes 300 ms; the first ticks must arrive before its reply exists.
            if delays.count == 2 { replied = try c.next(on: c.shell, timeout: 0) != nil }
        }
        XCTAssertEqual(delays.count, 6)
        XCTAssertFalse(replied, "outputs were held back until the cell finished")
        XCTAssertLessThan(delays.max() ?? 1, 0.1, "an output took over 100 ms to arrive: \(delays)")
        XCTAssertEqual(try c.reply(to: id).content["status"] as? String, "ok")
    }

    func testHeartbeatEchoes() throws {
        let c = harness.client
        try c.heartbeat.send([Data("ping-123".utf8)])
        XCTAssertEqual(try c.heartbeat.receive(timeout: 2), [Data("ping-123".utf8)])
    }
}

/// The same kernel over ipc sockets.
final class KernelServerIPCTests: XCTestCase {
    func testKernelInfoAndExecuteOverIPC() throws {
        let harness = try KernelHarness(transport: "ipc")
        defer { harness.stop() }
        XCTAssertTrue(harness.server.connection.endpoint(port: 1).hasPrefix("ipc:///tmp/swiftlab-test-"))
        let (reply, iopub) = try harness.execute("print over ipc")
        XCTAssertEqual(reply.content["status"] as? String, "ok")
        XCTAssertEqual(iopub.first { $0.msgType == "stream" }?.content["text"] as? String, "over ipc\n")
    }
}
