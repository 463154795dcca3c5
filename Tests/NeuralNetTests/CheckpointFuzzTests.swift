import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Every bit of a state dict (parameters, buffers, counters), for bit-for-bit comparisons.
func stateBits(_ state: [StateEntry]) -> [UInt32] {
    var out: [UInt32] = []
    for e in state {
        switch e.value {
        case .parameter(let p): out += UnsafeBufferPointer(start: p.value.data, count: p.value.count).map(\.bitPattern)
        case .buffer(let t): out += UnsafeBufferPointer(start: t.data, count: t.count).map(\.bitPattern)
        case .counter(let c): out += [UInt32(truncatingIfNeeded: c.value), UInt32(truncatingIfNeeded: c.value >> 32)]
        }
    }
    return out
}

/// Fuzzes the safetensors reader and checkpoint loading with mutated and hostile files.
///
/// A file either parses or throws a one-line `CheckpointError`; a load that throws leaves the
/// model's state dict bit-for-bit as it was; a load that succeeds leaves only finite values.
final class CheckpointFuzzTests: XCTestCase {
    private var rng = SeededRandom(seed: 21)

    private func model() -> PlainCNN { PlainCNN(inChannels: 1, numClasses: 3, depth: 2, width: 4, seed: 5) }

    /// One mutation: bit flips, truncation, a huge field, inserted bytes or a header-length change.
    private func mutate(_ base: Data) -> Data {
        var b = [UInt8](base)
        switch rng.int(below: 6) {
        case 0: for _ in 0 ... rng.int(below: 6) { b[rng.int(below: b.count)] ^= UInt8(1) << UInt8(rng.int(below: 8)) }
        case 1: b = Array(b.prefix(rng.int(below: b.count)))
        case 2:
            let at = rng.int(below: b.count)
            for k in at ..< min(b.count, at + [1, 4, 8][rng.int(below: 3)]) { b[k] = 0xFF }
        case 3:
            let at = rng.int(below: b.count)
            b.insert(contentsOf: (0 ..< 1 + rng.int(below: 12)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4: // change the header length by a small amount or to something huge
            let delta = [-16, -8, -1, 1, 8, 1 << 20, Int(Int32.max)][rng.int(below: 7)]
            let old = b.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            withUnsafeBytes(of: UInt64(truncatingIfNeeded: old + delta).littleEndian) { for k in 0 ..< 8 { b[k] = $0[k] } }
        default: // mutate a digit inside the JSON header (shapes and offsets)
            let headerEnd = min(b.count, 8 + 4096)
            let digits = (8 ..< headerEnd).filter { (48 ... 57).contains(b[$0]) }
            if let at = digits.isEmpty ? nil : digits[rng.int(below: digits.count)] {
                b[at] = UInt8(48 + rng.int(below: 10))
                if rng.int(below: 2) == 0 { b.insert(contentsOf: Array("99999999".utf8), at: at) }
            }
        }
        return Data(b)
    }

    /// Asserts a thrown error is a one-line CheckpointError.
    private func checkError(_ error: Error, _ what: String) {
        guard let e = error as? CheckpointError else { return XCTFail("\(what): not a CheckpointError: \(error)") }
        XCTAssertFalse(e.description.contains("\n"), "\(what): \(e.description)")
        XCTAssertFalse(e.description.isEmpty, what)
    }

    func testMutatedCheckpointsNeverChangeTheModelUnlessValid() throws {
        let source = model()
        for e in source.stateDict { if case .buffer(let t) = e.value { for i in 0 ..< t.count { t.data[i] = Float(i) * 0.5 + 1 } } }
        let base = Checkpoint.writer(for: source.stateDict).serialized()
        let target = PlainCNN(inChannels: 1, numClasses: 3, depth: 2, width: 4, seed: 9)
        var parsed = 0, loaded = 0
        for i in 0 ..< 600 {
            let bytes = mutate(base)
            let before = stateBits(target.stateDict)
            let file: SafetensorsFile
            do { file = try SafetensorsFile(bytes: bytes, path: "fuzz.safetensors") } catch {
                checkError(error, "parse #\(i)")
                continue
            }
            parsed += 1
            do {
                try Checkpoint.load(target.stateDict, from: file)
                loaded += 1
                for e in target.stateDict {
                    if case .parameter(let p) = e.value {
                        XCTAssertTrue(UnsafeBufferPointer(start: p.value.data, count: p.value.count).allSatisfy(\.isFinite), "#\(i)")
                    }
                }
            } catch {
                checkError(error, "load #\(i)")
                XCTAssertEqual(stateBits(target.stateDict), before, "load #\(i) failed but changed the model")
            }
        }
        XCTAssertGreaterThan(loaded, 0, "some mutations (inside the data) must still load")
        XCTAssertLessThan(parsed, 600, "most mutations must be refused")
    }

    func testHostileHeadersAreRefused() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let cases: [(String, Data)] = [
            ("header length 2^64-1", CheckpointFormatTests.rawFile("{}", headerLength: UInt64.max)),
            ("header length 100 MB + 1", CheckpointFormatTests.rawFile("{}", headerLength: 100_000_001)),
            ("deeply nested JSON", CheckpointFormatTests.rawFile(#"{"a":"# + deep + "}")),
            ("shape overflows Int", CheckpointFormatTests.rawFile(
                #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])),
            ("offsets near 2^53", CheckpointFormatTests.rawFile(
                #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[9007199254740990,9007199254740994]}}"#, [0, 0, 0, 0])),
            ("negative shape", CheckpointFormatTests.rawFile(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])),
            ("fractional offsets", CheckpointFormatTests.rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, [0, 0, 0, 0])),
            ("huge element count, no data", CheckpointFormatTests.rawFile(
                #"{"a":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,4398046511104]}}"#)),
            ("not UTF-8", CheckpointFormatTests.rawFile("{\u{1}}") + Data([0xFF, 0xFE])),
            ("header is a list", CheckpointFormatTests.rawFile("[1,2]")),
            ("metadata not strings", CheckpointFormatTests.rawFile(#"{"__metadata__":{"a":[1]}}"#)),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try SafetensorsFile(bytes: bytes, path: "h.safetensors"), name) { checkError($0, name) }
        }
    }

    func testEveryTruncationIsRefusedAndLeavesTheModel() throws {
        let source = model()
        let base = Checkpoint.writer(for: source.stateDict).serialized()
        let target = PlainCNN(inChannels: 1, numClasses: 3, depth: 2, width: 4, seed: 9)
        let before = stateBits(target.stateDict)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckfuzz-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("cut.safetensors")
        for cut in stride(from: 0, to: base.count, by: max(1, base.count / 97)) {
            try base.prefix(cut).write(to: url)
            XCTAssertThrowsError(try Checkpoint.load(target.stateDict, from: url), "cut at \(cut)") { checkError($0, "cut \(cut)") }
        }
        XCTAssertEqual(stateBits(target.stateDict), before)
        // A NaN inside an otherwise valid file is refused too.
        var nanBytes = [UInt8](Checkpoint.writer(for: source.stateDict).serialized())
        let headerLength = nanBytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for k in 0 ..< 4 { nanBytes[8 + headerLength + k] = $0[k] } }
        XCTAssertThrowsError(try Checkpoint.load(target.stateDict, from: SafetensorsFile(bytes: Data(nanBytes)))) {
            XCTAssertTrue("\($0)".contains("NaN") || "\($0)".lowercased().contains("finite"), "\($0)")
        }
        XCTAssertEqual(stateBits(target.stateDict), before)
    }
}
