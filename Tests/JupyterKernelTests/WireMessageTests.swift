import XCTest
@testable import JupyterKernel

/// Framing, parsing and rejection of messages; replay guard; connection files; history.
final class WireMessageTests: XCTestCase {
    private let signer = try! HMACSigner(key: "a0436f6c-1916-498b-8eb9-e81ab9368e84")

    private func sample() -> WireMessage {
        WireMessage(identities: [Data([0, 1, 2]), Data("client".utf8)],
                    header: WireMessage.makeHeader(type: "execute_request", session: "s1", username: "tester"),
                    parentHeader: [:], metadata: ["trace": true],
                    content: ["code": "echo hello, world", "silent": false, "n": 3],
                    buffers: [Data([9, 8, 7])])
    }

    func testFrameLayout() {
        let frames = sample().frames(signer: signer)
        XCTAssertEqual(frames.count, 2 + 1 + 1 + 4 + 1)
        XCTAssertEqual(frames[0], Data([0, 1, 2]))
        XCTAssertEqual(frames[2], Data("<IDS|MSG>".utf8))
        XCTAssertEqual(frames[3], Data(signer.sign(Array(frames[4...7])).utf8))
        XCTAssertEqual(String(decoding: frames[5], as: UTF8.self), "{}")
        XCTAssertEqual(String(decoding: frames[6], as: UTF8.self), "{\"trace\":true}")
        XCTAssertEqual(frames[8], Data([9, 8, 7]))
    }

    func testRoundTrip() throws {
        let original = sample()
        let parsed = try WireMessage.parse(original.frames(signer: signer), signer: signer)
        XCTAssertEqual(parsed.identities, original.identities)
        XCTAssertEqual(parsed.msgType, "execute_request")
        XCTAssertEqual(parsed.msgID, original.msgID)
        XCTAssertEqual(parsed.header["version"] as? String, "5.3")
        XCTAssertEqual(parsed.header["username"] as? String, "tester")
        XCTAssertEqual(parsed.content["code"] as? String, "echo hello, world")
        XCTAssertEqual(JSON.bool(parsed.content["silent"], default: true), false)
        XCTAssertEqual(JSON.int(parsed.content["n"]), 3)
        XCTAssertEqual(JSON.bool(parsed.metadata["trace"], default: false), true)
        XCTAssertEqual(parsed.buffers, [Data([9, 8, 7])])
        let reply = parsed.reply(type: "execute_reply", session: "k", content: ["status": "ok"])
        XCTAssertEqual(reply.identities, original.identities)
        XCTAssertEqual(reply.parentHeader["msg_id"] as? String, original.msgID)
    }

    func testTimestampFormat() {
        let t = WireMessage.timestamp(Date(timeIntervalSince1970: 1_000_000_000.25))
        XCTAssertEqual(t, "2001-09-09T01:46:40.250000Z")
    }

    func testBadSignatureIsRejected() {
        var frames = sample().frames(signer: signer)
        frames[3] = Data(String(repeating: "0", count: 64).utf8)
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .badSignature)
        }
    }

    func testMissingSignatureIsRejected() {
        var frames = sample().frames(signer: signer)
        frames[3] = Data()
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .badSignature)
        }
    }

    func testTamperedContentIsRejected() {
        var frames = sample().frames(signer: signer)
        frames[7] = Data("{\"code\":\"rm -rf\"}".utf8)
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .badSignature)
        }
    }

    func testWrongKeyIsRejected() throws {
        let frames = sample().frames(signer: try HMACSigner(key: "not-the-key"))
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer))
    }

    func testReplayIsRejected() throws {
        let guardian = ReplayGuard()
        let frames = sample().frames(signer: signer)
        XCTAssertNoThrow(try WireMessage.parse(frames, signer: signer, replay: guardian))
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer, replay: guardian)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .replayed)
        }
        // A fresh message (new msg_id, new signature) is accepted.
        XCTAssertNoThrow(try WireMessage.parse(sample().frames(signer: signer), signer: signer, replay: guardian))
    }

    func testReplayGuardForgetsOldestBeyondCapacity() {
        let g = ReplayGuard(capacity: 2)
        XCTAssertTrue(g.accept("a"))
        XCTAssertTrue(g.accept("b"))
        XCTAssertFalse(g.accept("a"))
        XCTAssertTrue(g.accept("c")) // forgets "a"
        XCTAssertEqual(g.count, 2)
        XCTAssertTrue(g.accept("a"))
        XCTAssertFalse(g.accept("c"))
        XCTAssertTrue(g.accept(""))
        XCTAssertTrue(g.accept(""))
    }

    func testMalformedFrames() {
        let frames = sample().frames(signer: signer)
        XCTAssertThrowsError(try WireMessage.parse(frames.filter { $0 != WireMessage.delimiter }, signer: signer)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .missingDelimiter)
        }
        XCTAssertThrowsError(try WireMessage.parse(Array(frames.prefix(6)), signer: signer)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .tooFewFrames(3))
        }
        let unsigned = try! HMACSigner(key: "")
        var bad = sample().frames(signer: unsigned)
        bad[4] = Data("[1,2]".utf8)
        XCTAssertThrowsError(try WireMessage.parse(bad, signer: unsigned)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .badJSON("header"))
        }
    }

    func testUnsignedMessagesPassWithEmptyKey() throws {
        let unsigned = try HMACSigner(key: "")
        let frames = sample().frames(signer: unsigned)
        XCTAssertEqual(frames[3], Data())
        XCTAssertEqual(try WireMessage.parse(frames, signer: unsigned).msgType, "execute_request")
    }

    func testConnectionFile() throws {
        let object: JSONObject = ["transport": "tcp", "ip": "127.0.0.1", "shell_port": 5001, "iopub_port": 5002,
                                  "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
                                  "key": "abc", "signature_scheme": "hmac-sha256"]
        let info = try ConnectionInfo.parse(object)
        XCTAssertEqual(info.endpoint(port: info.shellPort), "tcp://127.0.0.1:5001")
        XCTAssertEqual(info.hbPort, 5005)
        XCTAssertEqual(info.key, "abc")
        var ipc = info
        ipc.transport = "ipc"; ipc.ip = "/tmp/kernel-x"
        XCTAssertEqual(ipc.endpoint(port: 3), "ipc:///tmp/kernel-x-3")
        var missing = object
        missing["hb_port"] = nil
        XCTAssertThrowsError(try ConnectionInfo.parse(missing))
        var udp = object
        udp["transport"] = "udp"
        XCTAssertThrowsError(try ConnectionInfo.parse(udp))
    }

    func testHistoryStoreQueries() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hist-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let first = HistoryStore(file: file)
        XCTAssertEqual(first.session, 1)
        first.add(line: 1, input: "version")
        first.add(line: 2, input: "echo hi")
        first.add(line: 3, input: "version")
        first.setOutput(line: 3, output: "swift-lab 0.1.0")
        XCTAssertEqual(first.tail(2).map(\.input), ["echo hi", "version"])
        XCTAssertEqual(first.tail(2).last?.output, "swift-lab 0.1.0")
        XCTAssertEqual(first.range(session: 1, start: 2, stop: 3).map(\.line), [2])
        XCTAssertEqual(first.range(session: 0, start: 1, stop: 0).count, 3)
        XCTAssertEqual(first.search(pattern: "ver*", n: nil, unique: false).count, 2)
        XCTAssertEqual(first.search(pattern: "ver*", n: nil, unique: true).count, 1)
        XCTAssertEqual(first.search(pattern: "*", n: 1, unique: false).map(\.line), [3])
        // A new store on the same file is the next session and sees the old entries.
        let second = HistoryStore(file: file)
        XCTAssertEqual(second.session, 2)
        XCTAssertEqual(second.range(session: 1, start: 0, stop: 0).map(\.input), ["version", "echo hi", "version"])
        XCTAssertEqual(second.range(session: -1, start: 0, stop: 0).count, 3)
    }
}
