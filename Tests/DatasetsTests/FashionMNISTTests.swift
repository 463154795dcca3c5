import Foundation
import XCTest
@testable import Datasets

final class FashionMNISTTests: XCTestCase {
    func testRealDebianFilesLoad() throws {
        let root = FashionMNIST.debianRoot
        guard FileManager.default.fileExists(atPath: root + "/train-labels-idx1-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let train = try FashionMNIST.load(split: .train)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual([train.channels, train.height, train.width], [1, 28, 28])
        // Checked with Python's gzip module on the same files.
        XCTAssertEqual(Array(train.labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual((13 ..< 18).map { train.pixel(0, 10, $0, 0) }, [193, 228, 218, 213, 198])
        XCTAssertEqual(train.image(0).reduce(0) { $0 + Int($1) }, 76247)
        XCTAssertEqual(train.classCounts(), [Int](repeating: 6000, count: 10))
        XCTAssertEqual(train.classNames[9], "Ankle boot")

        let test = try FashionMNIST.load(split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(test.labels.prefix(10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        XCTAssertEqual(test.image(0).reduce(0) { $0 + Int($1) }, 33456)
    }

    /// An IDX file: big-endian magic and dimensions, then bytes.
    private func idx(magic: UInt32, dims: [Int], payload: [UInt8]) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        return be(magic) + dims.flatMap { be(UInt32($0)) } + payload
    }

    func testIDXChecks() throws {
        let root = makeTempDir("idx")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func files(images: [UInt8], labels: [UInt8]) {
            writeFile(root + "/t10k-images-idx3-ubyte.gz", Gzip.compress(images))
            writeFile(root + "/t10k-labels-idx1-ubyte.gz", Gzip.compress(labels))
        }
        let pixels = (0 ..< 2 * 4 * 3).map { UInt8($0) }
        files(images: idx(magic: 0x803, dims: [2, 4, 3], payload: pixels), labels: idx(magic: 0x801, dims: [2], payload: [7, 1]))
        let ok = try FashionMNIST.load(root: root, split: .test)
        XCTAssertEqual(ok.labels, [7, 1])
        XCTAssertEqual([ok.height, ok.width, ok.channels], [4, 3, 1])
        XCTAssertEqual(ok.pixel(1, 2, 1, 0), 12 + 2 * 3 + 1)

        files(images: idx(magic: 0x801, dims: [2, 4, 3], payload: pixels), labels: idx(magic: 0x801, dims: [2], payload: [7, 1]))
        assertDatasetError(["t10k-images-idx3-ubyte.gz", "wrong magic number 0x00000801", "expected 0x00000803"]) {
            _ = try FashionMNIST.load(root: root, split: .test)
        }
        files(images: idx(magic: 0x803, dims: [2, 4, 3], payload: Array(pixels.dropLast())), labels: idx(magic: 0x801, dims: [2], payload: [7, 1]))
        assertDatasetError(["t10k-images-idx3-ubyte.gz", "need 24 bytes", "has 23", "truncated"]) {
            _ = try FashionMNIST.load(root: root, split: .test)
        }
        files(images: idx(magic: 0x803, dims: [2, 4, 3], payload: pixels), labels: idx(magic: 0x801, dims: [3], payload: [7, 1, 2]))
        assertDatasetError(["t10k-labels-idx1-ubyte.gz", "3 labels for 2 images"]) {
            _ = try FashionMNIST.load(root: root, split: .test)
        }
        files(images: idx(magic: 0x803, dims: [2, 4, 3], payload: pixels), labels: idx(magic: 0x801, dims: [2], payload: [7, 10]))
        assertDatasetError(["t10k-labels-idx1-ubyte.gz", "label 10 of record 1"]) {
            _ = try FashionMNIST.load(root: root, split: .test)
        }
        assertDatasetError(["train-images-idx3-ubyte.gz", "file not found", "dataset-fashion-mnist"]) {
            _ = try FashionMNIST.load(root: root, split: .train)
        }
    }
}
