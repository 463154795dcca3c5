import Foundation
import XCTest
@testable import Datasets

/// A fresh temporary folder, removed by the returned cleanup.
func makeTempDir(_ tag: String) -> String {
    let path = NSTemporaryDirectory() + "datasets-test-\(tag)-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let dir = (path as NSString).deletingLastPathComponent
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Asserts that `body` throws a DatasetError whose message contains every one of `parts`.
func assertDatasetError(_ parts: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error containing \(parts)", file: file, line: line)
    } catch let e as DatasetError {
        let message = e.description
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        for p in parts { XCTAssertTrue(message.contains(p), "'\(message)' lacks '\(p)'", file: file, line: line) }
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
}

// MARK: - Synthetic CIFAR batches in the official formats

/// Label of record i of batch `b`: deterministic, covers all classes.
func fakeLabel(batch b: Int, record i: Int) -> UInt8 { UInt8((i * 3 + b) % 10) }
/// Byte of record i, channel plane c, pixel p (0..<1024) of batch `b`.
func fakePixel(batch b: Int, record i: Int, channel c: Int, pixel p: Int) -> UInt8 {
    UInt8((b * 50 + i * 13 + c * 71 + p * 5) % 256)
}

/// A binary CIFAR batch file: records of 1 label byte + R, G, B planes.
func binaryBatch(batch b: Int, records n: Int) -> [UInt8] {
    var out: [UInt8] = []
    for i in 0 ..< n {
        out.append(fakeLabel(batch: b, record: i))
        for c in 0 ..< 3 { for p in 0 ..< 1024 { out.append(fakePixel(batch: b, record: i, channel: c, pixel: p)) } }
    }
    return out
}

/// A python CIFAR batch pickled as Python 2's cPickle did (a Swift port of Fixtures/make_cifar_pickle.py).
func pickleBatch(data: [UInt8], labels: [Int], batchLabel: String) -> [UInt8] {
    var out: [UInt8] = [0x80, 2]
    var memo = 1
    func put() {
        if memo < 256 { out += [0x71, UInt8(memo)] } else { out += [0x72] + le32(memo) }
        memo += 1
    }
    func le32(_ v: Int) -> [UInt8] { (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    func string(_ s: [UInt8]) {
        if s.count < 256 { out += [0x55, UInt8(s.count)] + s } else { out += [0x54] + le32(s.count) + s }
        put()
    }
    func int(_ v: Int) {
        if (0 ..< 256).contains(v) { out += [0x4B, UInt8(v)] } else if (0 ..< 65536).contains(v) {
            out += [0x4D, UInt8(v & 0xFF), UInt8(v >> 8)]
        } else { out += [0x4A] + le32(v) }
    }
    func glob(_ m: String, _ n: String) { out += [0x63] + Array((m + "\n" + n + "\n").utf8); put() }
    let n = labels.count, rows = data.count / 3072
    out += [0x7D]; put(); out += [0x28]
    string(Array("data".utf8))
    glob("numpy.core.multiarray", "_reconstruct"); glob("numpy", "ndarray")
    int(0); out += [0x85]; put(); string([0x62]); out += [0x87]; put(); out += [0x52]; put()
    out += [0x28]; int(1); int(rows); int(3072); out += [0x86]; put()
    glob("numpy", "dtype"); string(Array("u1".utf8)); int(0); int(1); out += [0x87]; put(); out += [0x52]; put()
    out += [0x28]; int(3); string(Array("|".utf8)); out += Array("NNN".utf8)
    out += [0x4A] + le32(-1) + [0x4A] + le32(-1); int(0); out += [0x74]; put(); out += [0x62]
    out += [0x89]; string(data); out += [0x74]; put(); out += [0x62]
    string(Array("labels".utf8)); out += [0x5D]; put()
    for k in stride(from: 0, to: n, by: 1000) {
        out += [0x28]; for v in labels[k ..< min(n, k + 1000)] { int(v) }; out += [0x65]
    }
    string(Array("batch_label".utf8)); string(Array(batchLabel.utf8))
    string(Array("filenames".utf8)); out += [0x5D]; put()
    for k in stride(from: 0, to: n, by: 1000) {
        out += [0x28]; for i in k ..< min(n, k + 1000) { string(Array("img_\(i).png".utf8)) }; out += [0x65]
    }
    out += Array("u.".utf8)
    return out
}

// MARK: - Tar archives

/// One tar entry: a 512-byte ustar header plus the data padded to whole blocks.
func tarEntry(_ name: String, _ data: [UInt8] = [], type: UInt8 = UInt8(ascii: "0"), link: String = "") -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ s: String, _ at: Int) { for (k, b) in s.utf8.enumerated() { h[at + k] = b } }
    put(name, 0)
    put("0000644", 100); put("0000000", 108); put("0000000", 116)
    put(String(format: "%011o", data.count), 124)
    put("14400000000", 136)
    h[156] = type
    put(link, 157)
    put("ustar", 257); put("00", 263)
    for k in 148 ..< 156 { h[k] = 32 }
    let sum = h.reduce(0) { $0 + Int($1) }
    put(String(format: "%06o", sum), 148); h[154] = 0; h[155] = 32
    var out = h + data
    if data.count % 512 != 0 { out += [UInt8](repeating: 0, count: 512 - data.count % 512) }
    return out
}

/// A whole tar archive: the entries then two zero blocks.
func tarArchive(_ entries: [[UInt8]]) -> [UInt8] {
    entries.reduce([], +) + [UInt8](repeating: 0, count: 1024)
}

/// A .tar.gz in the official binary layout: 5 training batches of `perBatch` records and a test batch.
func syntheticBinaryArchive(perBatch: Int) -> [UInt8] {
    var entries = [tarEntry("cifar-10-batches-bin/", type: UInt8(ascii: "5")),
                   tarEntry("cifar-10-batches-bin/batches.meta.txt", Array(CIFAR10.classNames.joined(separator: "\n").utf8))]
    for b in 1 ... 5 { entries.append(tarEntry("cifar-10-batches-bin/data_batch_\(b).bin", binaryBatch(batch: b, records: perBatch))) }
    entries.append(tarEntry("cifar-10-batches-bin/test_batch.bin", binaryBatch(batch: 0, records: perBatch)))
    return Gzip.compress(tarArchive(entries))
}

/// A .tar.gz in the official python layout, same content as `syntheticBinaryArchive`.
func syntheticPythonArchive(perBatch: Int) -> [UInt8] {
    func batch(_ b: Int) -> [UInt8] {
        let bin = binaryBatch(batch: b, records: perBatch)
        var data: [UInt8] = [], labels: [Int] = []
        for i in 0 ..< perBatch {
            labels.append(Int(bin[i * 3073]))
            data += bin[(i * 3073 + 1) ..< ((i + 1) * 3073)]
        }
        return pickleBatch(data: data, labels: labels, batchLabel: "batch \(b)")
    }
    var entries = [tarEntry("cifar-10-batches-py/", type: UInt8(ascii: "5"))]
    for b in 1 ... 5 { entries.append(tarEntry("cifar-10-batches-py/data_batch_\(b)", batch(b))) }
    entries.append(tarEntry("cifar-10-batches-py/test_batch", batch(0)))
    return Gzip.compress(tarArchive(entries))
}
