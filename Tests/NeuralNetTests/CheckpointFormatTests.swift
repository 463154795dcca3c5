import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// The safetensors reader and writer on hand-made bytes: layout, dtypes, strictness.
final class CheckpointFormatTests: XCTestCase {
    /// A file from a header string (padded to 8 bytes) and raw data bytes.
    static func rawFile(_ json: String, _ data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(header.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(contentsOf: data)
        return out
    }

    private func parseError(_ bytes: Data) -> CheckpointError? {
        do { _ = try SafetensorsFile(bytes: bytes, path: "t.safetensors"); return nil } catch { return error as? CheckpointError }
    }

    func testWriterLayoutIsHeaderLengthPaddedJSONThenLittleEndianData() throws {
        var w = SafetensorsWriter(metadata: ["k": "v"])
        w.addF32("a", shape: [2], values: [1, -2])
        w.addI64("n", shape: [], values: [7])
        let bytes = w.serialized()
        let headerLength = bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        XCTAssertEqual(headerLength % 8, 0, "data starts 8-byte aligned")
        let header = String(decoding: bytes[8..<(8 + Int(headerLength))], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                       + #""n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}"#)
        XCTAssertEqual(Array(bytes.suffix(16)), [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 7, 0, 0, 0, 0, 0, 0, 0])
        let file = try SafetensorsFile(bytes: bytes)
        XCTAssertEqual(file.names, ["a", "n"])
        XCTAssertEqual(file.metadata, ["k": "v"])
        XCTAssertEqual(try file.floats("a"), [1, -2])
        XCTAssertEqual(try file.int64s("n"), [7])
        XCTAssertEqual(file.tensors["n"]?.shape, [])
    }

    func testFloatDTypesConvert() throws {
        // F16: 1.0, -2.0, 65504, 2^-24 (smallest subnormal); BF16: 1.0, -0.5; F64: 0.1.
        var data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
        data += [0x80, 0x3F, 0x00, 0xBF]
        data += withUnsafeBytes(of: (0.1 as Double).bitPattern.littleEndian) { Array($0) }
        let file = try SafetensorsFile(bytes: Self.rawFile(
            #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"#
            + #""d":{"dtype":"F64","shape":[1],"data_offsets":[12,20]}}"#, data))
        XCTAssertEqual(try file.floats("h"), [1, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        XCTAssertEqual(try file.floats("b"), [1, -0.5])
        XCTAssertEqual(try file.floats("d"), [Float(0.1)])
        XCTAssertThrowsError(try file.int64s("h")) { error in
            XCTAssertEqual(error as? CheckpointError, .dtypeMismatch(path: "<memory>", name: "h", expected: "I64", found: "F16"))
        }
    }

    func testMalformedFilesGiveClearErrors() {
        let ok = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let eight = [UInt8](repeating: 0, count: 8)
        XCTAssertNil(parseError(Self.rawFile(ok, eight)))

        XCTAssertEqual(parseError(Data([1, 2, 3])), .truncated(path: "t.safetensors", detail: "3 bytes, fewer than the 8-byte header length"))
        let size = Self.rawFile(ok, eight).count
        XCTAssertEqual(parseError(Self.rawFile(ok, eight, headerLength: 1 << 40)),
                       .headerTooLarge(path: "t.safetensors", headerBytes: 1 << 40, fileBytes: size))
        XCTAssertEqual(parseError(Self.rawFile(ok, eight, headerLength: UInt64(size - 7))),
                       .headerTooLarge(path: "t.safetensors", headerBytes: UInt64(size - 7), fileBytes: size))
        guard case .badHeader(_, let detail)? = parseError(Self.rawFile(#"{"a": {"dtype": }"#)) else { return XCTFail() }
        XCTAssertEqual(detail, "the header is not valid JSON")
        guard case .badHeader(_, let d2)? = parseError(Self.rawFile("[1, 2]")) else { return XCTFail() }
        XCTAssertEqual(d2, "the JSON header does not start with '{'")
        guard case .badHeader(_, let d3)? = parseError(Self.rawFile(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#)) else {
            return XCTFail()
        }
        XCTAssertEqual(d3, "entry 'a' has no 'shape' list of non-negative integers")
        guard case .badHeader(_, let d4)? = parseError(Self.rawFile(#"{"__metadata__":{"x":1}}"#)) else { return XCTFail() }
        XCTAssertEqual(d4, "__metadata__ value for 'x' is not a string")
        guard case .badHeader(_, let d5)? = parseError(Self.rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":0}}"#, eight)) else {
            return XCTFail()
        }
        XCTAssertEqual(d5, "entry 'a' has unknown field 'x'")

        // Data section shorter than the offsets say: truncated.
        XCTAssertEqual(parseError(Self.rawFile(ok, [0, 0, 0, 0])), .truncated(path: "t.safetensors",
            detail: "tensor 'a' ends at data byte 8 but the data section has 4 bytes"))
        // Offsets disagreeing with the shape.
        XCTAssertEqual(parseError(Self.rawFile(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, eight)),
                       .badOffsets(path: "t.safetensors", name: "a", detail: "they span 8 bytes but shape [3] of F32 needs 12"))
        // Overlap, gap, reversed, trailing bytes.
        let two = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[%@]}}"#
        XCTAssertEqual(parseError(Self.rawFile(two.replacingOccurrences(of: "%@", with: "4,12"), eight + eight)),
                       .badOffsets(path: "t.safetensors", name: "b", detail: "starts at 4, expected 8 (overlaps the previous tensor)"))
        XCTAssertEqual(parseError(Self.rawFile(two.replacingOccurrences(of: "%@", with: "12,20"), eight + eight + [0, 0, 0, 0])),
                       .badOffsets(path: "t.safetensors", name: "b", detail: "starts at 12, expected 8 (leaves a gap before it)"))
        XCTAssertEqual(parseError(Self.rawFile(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, eight)),
                       .badOffsets(path: "t.safetensors", name: "a", detail: "begin 8 is after end 0"))
        XCTAssertEqual(parseError(Self.rawFile(ok, eight + [1])),
                       .badOffsets(path: "t.safetensors", name: "a",
                                   detail: "the tensors cover 8 data bytes but the data section has 9 (trailing bytes)"))
        XCTAssertEqual(parseError(Self.rawFile(#"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, [0])),
                       .unsupportedDType(path: "t.safetensors", name: "a", dtype: "F8_E4M3"))
    }

    func testMessagesAreOneLineAndSayWhatToDo() {
        let errors: [CheckpointError] = [
            .unreadable(path: "p", reason: "no such file"),
            .truncated(path: "p", detail: "d"),
            .headerTooLarge(path: "p", headerBytes: 9, fileBytes: 3),
            .badHeader(path: "p", detail: "d"),
            .badOffsets(path: "p", name: "n", detail: "d"),
            .unsupportedDType(path: "p", name: "n", dtype: "U8"),
            .missingTensor(path: "p", name: "n", missingCount: 3),
            .unknownTensor(path: "p", name: "n", unknownCount: 1),
            .shapeMismatch(path: "p", name: "n", expected: [1], found: [2]),
            .dtypeMismatch(path: "p", name: "n", expected: "I64", found: "F32"),
            .nonFinite(path: "p", name: "n", index: 4),
            .writeFailed(path: "p", reason: "r"),
            .optimizerMismatch(path: "p", detail: "d"),
        ]
        for e in errors {
            XCTAssertFalse(e.description.contains("\n"), e.description)
            XCTAssertTrue(e.description.contains(";"), "says what to do: \(e.description)")
        }
        XCTAssertEqual(CheckpointError.missingTensor(path: "m.safetensors", name: "fc.bias", missingCount: 3).description,
                       "checkpoint m.safetensors lacks tensor 'fc.bias' (and 2 more); it was saved from a different model: "
                       + "load a state dict of the same architecture")
    }

    func testAtomicWriteLeavesNoTemporaryAndFailsCleanly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var w = SafetensorsWriter()
        w.addF32("x", shape: [1], values: [3])
        let url = dir.appendingPathComponent("a.safetensors")
        try w.write(to: url)
        try w.write(to: url)  // replacing an existing file
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.safetensors"])
        XCTAssertEqual(try SafetensorsFile(contentsOf: url).floats("x"), [3])
        let missing = dir.appendingPathComponent("no/such/folder/b.safetensors")
        XCTAssertThrowsError(try w.write(to: missing)) { error in
            XCTAssertEqual(error as? CheckpointError, .writeFailed(path: missing.path, reason: "No such file or directory"))
        }
        XCTAssertThrowsError(try SafetensorsFile(contentsOf: missing)) { error in
            guard case .unreadable? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
    }
}
