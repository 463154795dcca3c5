import Foundation
import XCTest
@testable import Datasets

final class CIFARTests: XCTestCase {
    func testBinaryFolderFirstLabelsAndPixels() throws {
        let root = makeTempDir("bin")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for b in 1 ... 5 { writeFile(root + "/cifar-10-batches-bin/data_batch_\(b).bin", binaryBatch(batch: b, records: 7)) }
        writeFile(root + "/cifar-10-batches-bin/test_batch.bin", binaryBatch(batch: 0, records: 7))

        let train = try CIFAR10.load(root: root, split: .train, download: false)
        XCTAssertEqual(train.count, 35)
        XCTAssertEqual([train.channels, train.height, train.width], [3, 32, 32])
        XCTAssertEqual(Array(train.labels.prefix(5)), [1, 4, 7, 0, 3])     // (3i + 1) % 10
        XCTAssertEqual(train.labels[7], 2)                                  // batch 2, record 0
        XCTAssertEqual(train.classNames[0], "airplane")
        XCTAssertEqual(train.classNames[9], "truck")
        // Planes R, G, B become channels last: pixel (y, x) channel c is plane c at y * 32 + x.
        XCTAssertEqual(train.pixel(0, 0, 0, 0), 50)                         // (50 + 0 + 0 + 0) % 256
        XCTAssertEqual(train.pixel(0, 0, 0, 1), 121)                        // channel 1 adds 71
        XCTAssertEqual(train.pixel(0, 0, 1, 2), 197)                        // 50 + 2 * 71 + 1 * 5
        XCTAssertEqual(train.pixel(1, 2, 3, 1), fakePixel(batch: 1, record: 1, channel: 1, pixel: 2 * 32 + 3))
        XCTAssertEqual(train.pixel(34, 31, 31, 2), fakePixel(batch: 5, record: 6, channel: 2, pixel: 1023))

        let test = try CIFAR10.load(root: root, split: .test, download: false)
        XCTAssertEqual(test.count, 7)
        XCTAssertEqual(Array(test.labels.prefix(4)), [0, 3, 6, 9])
        XCTAssertEqual(test.pixel(0, 0, 0, 0), 0)
    }

    func testBinaryErrorsNameTheFile() throws {
        let root = makeTempDir("binerr")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/data_batch_1.bin"
        var images: [UInt8] = [], labels: [Int32] = []

        writeFile(path, Array(binaryBatch(batch: 1, records: 2).dropLast(5)))
        assertDatasetError(["data_batch_1.bin", "truncated", "3068 bytes"]) {
            try CIFAR10.readBinaryBatch(path: path, images: &images, labels: &labels)
        }
        var bad = binaryBatch(batch: 1, records: 2)
        bad[3073] = 10
        writeFile(path, bad)
        assertDatasetError(["data_batch_1.bin", "label 10 of record 1", "out of range"]) {
            try CIFAR10.readBinaryBatch(path: path, images: &images, labels: &labels)
        }
        // A folder missing one batch names that batch.
        for b in [1, 2, 4, 5] { writeFile(root + "/cifar-10-batches-bin/data_batch_\(b).bin", binaryBatch(batch: b, records: 1)) }
        assertDatasetError(["data_batch_3.bin", "file not found"]) {
            _ = try CIFAR10.load(root: root, split: .train, download: false)
        }
    }

    func testNothingThereWithoutDownloadSaysWhatToPutWhere() {
        let root = makeTempDir("empty")
        defer { try? FileManager.default.removeItem(atPath: root) }
        assertDatasetError(["cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530", root,
                            "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "cifar-10-batches-py"]) {
            _ = try CIFAR10.load(root: root, split: .train, download: false)
        }
    }

    /// Pixel j of image i of the committed fixture.
    private func fixturePixel(_ i: Int, _ j: Int) -> UInt8 { UInt8((i * 31 + j * 7) % 256) }

    func testPickleFixtureInTheRealFormatLoads() throws {
        let fixture = CIFARPickleFixture.bytes
        XCTAssertEqual(fixture.count, 12588)
        // The Swift test writer produces byte-for-byte what the Python script produced.
        let data = (0 ..< 4).flatMap { i in (0 ..< 3072).map { fixturePixel(i, $0) } }
        XCTAssertEqual(pickleBatch(data: data, labels: [3, 8, 0, 9], batchLabel: "testing batch 1 of 1"), fixture)

        let root = makeTempDir("pkl")
        defer { try? FileManager.default.removeItem(atPath: root) }
        writeFile(root + "/test_batch", fixture)
        var images: [UInt8] = [], labels: [Int32] = []
        try CIFAR10.readPickleBatch(path: root + "/test_batch", images: &images, labels: &labels)
        XCTAssertEqual(labels, [3, 8, 0, 9])
        XCTAssertEqual(images.count, 4 * 3072)
        // HWC: image i, pixel p, channel c comes from byte c * 1024 + p of the row.
        for (i, p, c) in [(0, 0, 0), (0, 0, 1), (1, 5, 2), (3, 1023, 2), (2, 500, 1)] {
            XCTAssertEqual(images[i * 3072 + p * 3 + c], fixturePixel(i, c * 1024 + p), "image \(i) pixel \(p) channel \(c)")
        }
    }

    func testPickleRejectsAnythingElse() throws {
        let root = makeTempDir("pklbad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/data_batch_1"
        var images: [UInt8] = [], labels: [Int32] = []
        func check(_ bytes: [UInt8], _ parts: [String], line: UInt = #line) {
            writeFile(path, bytes)
            assertDatasetError(["data_batch_1"] + parts, line: line) {
                try CIFAR10.readPickleBatch(path: path, images: &images, labels: &labels)
            }
        }
        let good = CIFARPickleFixture.bytes
        func replacing(_ a: String, _ b: String) -> [UInt8] {
            let s = Array(a.utf8), r = Array(b.utf8)
            let at = (0 ... good.count - s.count).first { Array(good[$0 ..< $0 + s.count]) == s }!
            return Array(good[..<at]) + r + Array(good[(at + s.count)...])
        }
        check(replacing("numpy\ndtype\n", "posix\nsystem\n"), ["refusing to call posix.system"])
        check(replacing("U\u{02}u1", "U\u{02}i4"), ["dtype i4"])
        check([0x80, 3] + good.dropFirst(2), ["protocol 3"])
        check(Array(good.dropLast(100)), ["truncated"])
        check(good + [0x2E], ["1 bytes after the end"])
        check([0x80, 2, 0x5D, 0x2E], ["top-level object is not a dict"])
        check([0x80, 2, 0x7D, 0x63] + Array("builtins\neval\n".utf8) + [0x2E], ["malformed stack"])
        check([0x80, 2, 0x7D, 0x8C, 0x2E], ["unsupported opcode 0x8c"])
        let data = [UInt8](repeating: 7, count: 2 * 3072)
        check(pickleBatch(data: data, labels: [1, 12], batchLabel: "x"), ["label 12 of record 1", "out of range"])
        check(pickleBatch(data: data, labels: [1, 2, 3], batchLabel: "x"), ["3 labels for 2 images"])
    }
}

final class FullSizeCIFARTests: XCTestCase {
    /// Full-size batches (10,000 records each) in both formats: real sizes exercise LONG_BINPUT, APPENDS runs of
    /// 1,000 and a 30 MB BINSTRING. Only with SWIFT_LAB_FULL_SIZE=1 (writes ~370 MB to the temp folder).
    func testFullSizeBatchesLoadQuickly() throws {
        guard ProcessInfo.processInfo.environment["SWIFT_LAB_FULL_SIZE"] == "1" else {
            throw XCTSkip("set SWIFT_LAB_FULL_SIZE=1 to run the full-size load test")
        }
        let root = makeTempDir("full")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for b in 0 ... 5 {
            let bin = binaryBatch(batch: b, records: 10_000)
            let name = b == 0 ? "test_batch" : "data_batch_\(b)"
            writeFile(root + "/cifar-10-batches-bin/\(name).bin", bin)
            var data: [UInt8] = [], labels: [Int] = []
            data.reserveCapacity(30_720_000)
            for i in 0 ..< 10_000 {
                labels.append(Int(bin[i * 3073]))
                data += bin[(i * 3073 + 1) ..< ((i + 1) * 3073)]
            }
            writeFile(root + "/cifar-10-batches-py/\(name)", pickleBatch(data: data, labels: labels, batchLabel: name))
        }
        var t = Date()
        let bin = try CIFAR10.load(root: root, split: .train, download: false, archives: [.binary])
        print("binary train load: \(Date().timeIntervalSince(t)) s")
        t = Date()
        let py = try CIFAR10.load(root: root, split: .train, download: false, archives: [.python])
        print("pickle train load: \(Date().timeIntervalSince(t)) s")
        XCTAssertEqual(bin.count, 50_000)
        XCTAssertEqual(py.labels, bin.labels)
        XCTAssertTrue(py.images == bin.images)
        XCTAssertEqual(bin.pixel(49_999, 31, 31, 2), fakePixel(batch: 5, record: 9_999, channel: 2, pixel: 1023))
    }
}
