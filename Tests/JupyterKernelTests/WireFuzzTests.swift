import Foundation
import XCTest
@testable import JupyterKernel

/// A small seeded generator (splitmix64); JupyterKernelTests does not link TensorEngine's SeededRandom.
struct WireRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func bytes(_ n: Int) -> Data { Data((0 ..< n).map { _ in UInt8(truncatingIfNeeded: next()) }) }
}

/// Fuzzes the wire decoder (frames, JSON, signatures) and a live kernel with garbage.
///
/// Every mutated message is either parsed (only when its signature still verifies) or refused
/// with a `ParseError`; a kernel flooded with such messages keeps answering real requests.
final class WireFuzzTests: XCTestCase {
    private let key = "5ee1c0de-0000-4000-8000-fuzzfuzzfuzz"
    private lazy var signer = try! HMACSigner(key: key)

    private func valid(_ r: inout WireRandom) -> [Data] {
        WireMessage(identities: [r.bytes(5)], header: WireMessage.makeHeader(type: "execute_request", session: "fz"),
                    content: ["code": "x = \(r.below(1000))", "silent": false]).frames(signer: signer)
    }

    /// One structural or byte-level mutation of a frame list.
    private func mutate(_ frames: [Data], _ r: inout WireRandom) -> [Data] {
        var f = frames
        switch r.below(9) {
        case 0: f.remove(at: r.below(f.count))                                        // missing frame
        case 1: f = Array(f.prefix(r.below(f.count)))                                 // cut short
        case 2:                                                                        // bit flip in one frame
            let i = r.below(f.count)
            if !f[i].isEmpty { var b = [UInt8](f[i]); b[r.below(b.count)] ^= 1 << UInt8(r.below(8)); f[i] = Data(b) }
        case 3: f[r.below(f.count)] = r.bytes(r.below(64))                             // garbage frame
        case 4: f.insert(WireMessage.delimiter, at: r.below(f.count + 1))              // extra delimiter
        case 5:                                                                        // malformed JSON, re-signed
            guard let d = f.firstIndex(of: WireMessage.delimiter), f.count >= d + 6 else { break }
            let junk = ["{", "[1,2]", "{\"a\":", "nul", String(repeating: "[", count: 50_000), "{\"k\":\"\u{0}\"", "\u{FF}"]
            f[d + 2 + r.below(4)] = Data(junk[r.below(junk.count)].utf8)
            f[d + 1] = Data(signer.sign(Array(f[(d + 2) ... (d + 5)])).utf8)
        case 6, 7:                                                                     // wrong or empty signature
            if let d = f.firstIndex(of: WireMessage.delimiter), d + 1 < f.count {
                f[d + 1] = r.below(2) == 0 ? Data(String(repeating: "0", count: 64).utf8) : Data()
            }
        default: f = (0 ..< r.below(12)).map { _ in r.bytes(r.below(40)) }           // random frames
        }
        return f
    }

    func testMutatedMessagesAreParsedOnlyWhenSignedAndWellFormed() {
        var r = WireRandom(seed: 31)
        var refused = 0
        for i in 0 ..< 3000 {
            let frames = mutate(valid(&r), &r)
            do {
                let m = try WireMessage.parse(frames, signer: signer, replay: ReplayGuard())
                // Whatever parses must carry a verifiable signature over its four JSON frames.
                let d = frames.firstIndex(of: WireMessage.delimiter)!
                XCTAssertTrue(signer.verify(signature: String(decoding: frames[d + 1], as: UTF8.self),
                                            frames: Array(frames[(d + 2) ... (d + 5)])), "#\(i)")
                _ = m.msgType
            } catch let e as WireMessage.ParseError {
                refused += 1
                XCTAssertFalse(e.description.isEmpty)
            } catch {
                XCTFail("#\(i): unexpected error \(error)")
            }
        }
        XCTAssertGreaterThan(refused, 2000)
    }

    func testReplayedSignatureIsRefusedOnce() throws {
        var r = WireRandom(seed: 32)
        let guardSet = ReplayGuard()
        let frames = valid(&r)
        XCTAssertNoThrow(try WireMessage.parse(frames, signer: signer, replay: guardSet))
        XCTAssertThrowsError(try WireMessage.parse(frames, signer: signer, replay: guardSet)) {
            XCTAssertEqual($0 as? WireMessage.ParseError, .replayed)
        }
    }

    /// A live kernel flooded with garbage on shell and control keeps serving; unknown types get no crash.
    func testKernelSurvivesAFloodOfGarbage() throws {
        let h = try KernelHarness()
        defer { h.stop() }
        var r = WireRandom(seed: 33)
        let connSigner = h.client.signer
        signer = connSigner  // re-signed malformed JSON then reaches the kernel's JSON decoder
        for i in 0 ..< 400 {
            var frames = WireMessage(header: WireMessage.makeHeader(type: "kernel_info_request", session: "fz"))
                .frames(signer: connSigner)
            frames = mutate(frames, &r)
            if frames.isEmpty { frames = [Data()] }
            try (i % 2 == 0 ? h.client.shell : h.client.control).send(frames)
        }
        // Unknown message types, correctly signed.
        for t in ["no_such_request", "", "execute_reply", "comm_msg"] { try h.client.send(t, ["x": 1]) }
        let id = try h.client.send("kernel_info_request")
        let reply = try h.client.reply(to: id, timeout: 10)
        XCTAssertEqual(reply.msgType, "kernel_info_reply")
        let (exec, _) = try h.execute("print still here")
        XCTAssertEqual(exec.content["status"] as? String, "ok")
    }
}
