import Foundation
import TensorEngine
import XCTest
@testable import Datasets

/// Seeded mutations of valid files: bit flips, truncations, huge length fields, inserted and repeated bytes.
struct ByteMutator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    /// One randomly chosen mutation of `base` (never the identity for non-empty input).
    mutating func mutate(_ base: [UInt8]) -> [UInt8] {
        var b = base
        guard !b.isEmpty else { return [UInt8(truncatingIfNeeded: rng.next())] }
        switch rng.int(below: 6) {
        case 0:  // flip 1...8 bits
            for _ in 0 ... rng.int(below: 8) { b[rng.int(below: b.count)] ^= UInt8(1) << UInt8(rng.int(below: 8)) }
        case 1:  // truncate
            b = Array(b.prefix(rng.int(below: b.count)))
        case 2:  // a 1-, 4- or 8-byte field set huge (0xFF...) or to a large little/big-endian value
            let width = [1, 4, 8][rng.int(below: 3)]
            let at = rng.int(below: b.count)
            let fill: UInt8 = rng.int(below: 2) == 0 ? 0xFF : 0x7F
            for k in at ..< min(b.count, at + width) { b[k] = fill }
        case 3:  // insert random bytes
            let at = rng.int(below: b.count + 1)
            b.insert(contentsOf: (0 ..< 1 + rng.int(below: 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4:  // repeat a slice
            let at = rng.int(below: b.count), n = 1 + rng.int(below: min(64, b.count - at))
            b.insert(contentsOf: b[at ..< at + n], at: at)
        default: // overwrite a byte with a random value
            b[rng.int(below: b.count)] = UInt8(truncatingIfNeeded: rng.next())
        }
        return b
    }
}

/// Fuzzes the CIFAR binary and pickle readers, the IDX reader and the gzip/tar extractor with mutated files.
///
/// Each input must either read into consistent data or fail with a one-line `DatasetError`
/// naming the file; nothing may crash, hang or write outside the target folder.
final class ReaderFuzzTests: XCTestCase {
    private var root = ""

    override func setUp() { root = makeTempDir("fuzz") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Runs `body`; a thrown error must be a one-line DatasetError that names `path`. Returns whether it threw.
    @discardableResult
    private func expectCleanOutcome(_ path: String, _ what: String, _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let e as DatasetError {
            let m = e.description
            XCTAssertFalse(m.contains("\n"), "\(what): multi-line message \(m)")
            XCTAssertTrue(m.contains((path as NSString).lastPathComponent), "\(what): message does not name the file: \(m)")
            return true
        } catch {
            XCTFail("\(what): not a DatasetError: \(error)")
            return true
        }
    }

    func testCIFARBinaryMutations() {
        let base = binaryBatch(batch: 1, records: 3)
        var m = ByteMutator(seed: 11)
        var failures = 0
        let path = root + "/data_batch_1.bin"
        for i in 0 ..< 300 {
            writeFile(path, m.mutate(base))
            var images: [UInt8] = [], labels: [Int32] = []
            let threw = expectCleanOutcome(path, "binary #\(i)") {
                try CIFAR10.readBinaryBatch(path: path, images: &images, labels: &labels)
            }
            if threw { failures += 1; continue }
            XCTAssertEqual(images.count, labels.count * 3072, "binary #\(i)")
            XCTAssertTrue(labels.allSatisfy { (0 ..< 10).contains($0) }, "binary #\(i)")
        }
        XCTAssertGreaterThan(failures, 100, "most mutations must be refused")
    }

    func testCIFARPickleMutations() {
        let data = (0 ..< 2 * 3072).map { UInt8($0 % 251) }
        let base = pickleBatch(data: data, labels: [3, 7], batchLabel: "fuzz")
        var m = ByteMutator(seed: 12)
        var failures = 0, successes = 0
        let path = root + "/data_batch_1"
        for i in 0 ..< 400 {
            writeFile(path, m.mutate(base))
            var images: [UInt8] = [], labels: [Int32] = []
            let threw = expectCleanOutcome(path, "pickle #\(i)") {
                try CIFAR10.readPickleBatch(path: path, images: &images, labels: &labels)
            }
            if threw { failures += 1; continue }
            successes += 1
            XCTAssertEqual(images.count, labels.count * 3072, "pickle #\(i)")
            XCTAssertTrue(labels.allSatisfy { (0 ..< 10).contains($0) }, "pickle #\(i)")
        }
        XCTAssertGreaterThan(failures, 200)
        XCTAssertGreaterThan(successes, 0, "some mutations (inside the pixel bytes) must still read")
    }

    /// Deep nesting (tuples, lists, dicts) must be refused before freeing it can overflow the stack.
    func testPickleDeepNestingIsRefused() {
        let depth = 200_000
        let cases: [(String, [UInt8])] = [
            ("tuples", [0x80, 2, 0x4E] + [UInt8](repeating: 0x85, count: depth) + [0x2E]),
            ("lists", [0x80, 2] + [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]),
            ("marks", [0x80, 2] + [UInt8](repeating: 0x28, count: depth) + [UInt8](repeating: 0x74, count: depth) + [0x2E]),
        ]
        for (name, bytes) in cases {
            let path = root + "/nested_\(name)"
            writeFile(path, bytes)
            var images: [UInt8] = [], labels: [Int32] = []
            let threw = expectCleanOutcome(path, name) {
                try CIFAR10.readPickleBatch(path: path, images: &images, labels: &labels)
            }
            XCTAssertTrue(threw, "\(name): a deeply nested pickle must be refused")
        }
    }

    /// A numpy array whose dimensions multiply past Int.max must be refused, not overflow.
    func testPickleHugeArrayShapeIsRefused() {
        var bytes = pickleBatch(data: [UInt8](repeating: 1, count: 3072), labels: [1], batchLabel: "x")
        // The shape tuple (1, 3072) is written as BININT1 1, BININT2 3072; make both dimensions 2^31-1.
        let shape: [UInt8] = [0x4B, 1, 0x4D, 0x00, 0x0C, 0x86]
        guard let at = (0 ..< bytes.count - shape.count).first(where: { Array(bytes[$0 ..< $0 + shape.count]) == shape }) else {
            return XCTFail("shape tuple not found in the fixture")
        }
        let big: [UInt8] = [0x4A, 0xFF, 0xFF, 0xFF, 0x7F]
        bytes.replaceSubrange(at ..< at + shape.count, with: [0x28] + big + big + big + [0x74])
        let path = root + "/huge_shape"
        writeFile(path, bytes)
        var images: [UInt8] = [], labels: [Int32] = []
        XCTAssertTrue(expectCleanOutcome(path, "huge shape") {
            try CIFAR10.readPickleBatch(path: path, images: &images, labels: &labels)
        })
    }

    func testIDXMutationsOfHeaderAndCompressedStream() {
        var plain: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4]
        plain += (0 ..< 32).map { UInt8($0) }
        var m = ByteMutator(seed: 13)
        let path = root + "/images-idx3-ubyte.gz"
        var refused = 0
        for i in 0 ..< 300 {
            // Half the time mutate the IDX bytes (dimensions, magic), half the gzip stream itself.
            let bytes = i % 2 == 0 ? Gzip.compress(m.mutate(plain)) : m.mutate(Gzip.compress(plain))
            writeFile(path, bytes)
            let threw = expectCleanOutcome(path, "idx #\(i)") {
                let (payload, dims) = try FashionMNIST.readIDX(path: path, magic: 0x0000_0803)
                XCTAssertEqual(dims.count, 3)
                XCTAssertEqual(payload.count, dims.reduce(1, *))
            }
            if threw { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 150)
        // Dimensions whose product overflows Int.
        let huge: [UInt8] = [0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]
        writeFile(path, Gzip.compress(huge))
        XCTAssertTrue(expectCleanOutcome(path, "idx overflow") { _ = try FashionMNIST.readIDX(path: path, magic: 0x0000_0803) })
    }

    func testTarMutationsStayInsideTheTarget() throws {
        let plain = tarArchive([tarEntry("d/", type: UInt8(ascii: "5")),
                                tarEntry("d/a.txt", Array("hello".utf8)),
                                tarEntry("d/b.bin", [UInt8](repeating: 7, count: 700))])
        var m = ByteMutator(seed: 14)
        let outer = root + "/outer"
        try FileManager.default.createDirectory(atPath: outer, withIntermediateDirectories: true)
        let archive = root + "/a.tar.gz"
        var refused = 0
        for i in 0 ..< 200 {
            let bytes = i % 2 == 0 ? Gzip.compress(m.mutate(plain)) : m.mutate(Gzip.compress(plain))
            writeFile(archive, bytes)
            let dest = outer + "/x\(i)"
            try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
            let threw = expectCleanOutcome(archive, "tar #\(i)") {
                let reader = try GzipReader(path: archive)
                _ = try TarExtractor.extract(from: reader, into: dest)
            }
            if threw { refused += 1 }
            try FileManager.default.removeItem(atPath: dest)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outer), [], "tar #\(i) wrote outside its folder")
        }
        XCTAssertGreaterThan(refused, 100)
    }
}
