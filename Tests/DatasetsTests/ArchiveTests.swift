import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class ArchiveTests: XCTestCase {
    func testMD5() throws {
        XCTAssertEqual(MD5.hex(Array("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(MD5.hex([]), "d41d8cd98f00b204e9800998ecf8427e")
    }

    func testGzipRoundTripCorruptAndTruncated() throws {
        let root = makeTempDir("gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var rng = SeededRandom(seed: 5)
        let plain = (0 ..< 300_000).map { i in UInt8(truncatingIfNeeded: i % 251 == 0 ? rng.next() : UInt64(i / 100)) }
        let gz = Gzip.compress(plain)
        writeFile(root + "/ok.gz", gz)
        XCTAssertEqual(try GzipReader.decompress(path: root + "/ok.gz"), plain)
        // Two members back to back are one stream.
        writeFile(root + "/two.gz", gz + Gzip.compress([1, 2, 3]))
        XCTAssertEqual(try GzipReader.decompress(path: root + "/two.gz"), plain + [1, 2, 3])

        var bad = gz
        bad[gz.count / 2] ^= 0x55
        writeFile(root + "/bad.gz", bad)
        assertDatasetError(["bad.gz", "corrupt gzip data"]) { _ = try GzipReader.decompress(path: root + "/bad.gz") }
        writeFile(root + "/short.gz", Array(gz.prefix(gz.count - 20)))
        assertDatasetError(["short.gz", "truncated"]) { _ = try GzipReader.decompress(path: root + "/short.gz") }
        writeFile(root + "/plain.gz", Array("not gzip at all".utf8))
        assertDatasetError(["plain.gz", "incorrect header check"]) { _ = try GzipReader.decompress(path: root + "/plain.gz") }
        writeFile(root + "/trail.gz", gz + Array("garbage".utf8))
        assertDatasetError(["trail.gz", "unexpected data after the end"]) { _ = try GzipReader.decompress(path: root + "/trail.gz") }
    }

    func testTarExtractsFilesAndRefusesEscapes() throws {
        let root = makeTempDir("tar")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = tarArchive([tarEntry("d/", type: UInt8(ascii: "5")), tarEntry("./d/a.txt", Array("hello".utf8)),
                               tarEntry("d/e/b.bin", [UInt8](repeating: 9, count: 1000))])
        writeFile(root + "/good.tar.gz", Gzip.compress(good))
        let out = root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = try TarExtractor.extract(from: GzipReader(path: root + "/good.tar.gz"), into: out)
        XCTAssertEqual(names, ["d/a.txt", "d/e/b.bin"])
        XCTAssertEqual(try readWholeFile(out + "/d/a.txt"), Array("hello".utf8))
        XCTAssertEqual(try readWholeFile(out + "/d/e/b.bin"), [UInt8](repeating: 9, count: 1000))

        let cases: [([UInt8], [String])] = [
            (tarEntry("../evil.txt", [1]), ["../evil.txt", "escapes the target folder"]),
            (tarEntry("d/../../evil.txt", [1]), ["d/../../evil.txt", "escapes"]),
            (tarEntry("/tmp/evil.txt", [1]), ["absolute path /tmp/evil.txt"]),
            (tarEntry("link", type: UInt8(ascii: "2"), link: "/etc/passwd"), ["link", "type '2'"]),
            (tarEntry("hard", type: UInt8(ascii: "1"), link: "../x"), ["hard", "type '1'"]),
        ]
        for (k, (entry, parts)) in cases.enumerated() {
            let path = root + "/evil\(k).tar.gz"
            writeFile(path, Gzip.compress(tarArchive([entry])))
            let dest = root + "/dest\(k)"
            try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
            assertDatasetError(["evil\(k).tar.gz", "refused tar archive"] + parts) {
                try TarExtractor.extract(from: GzipReader(path: path), into: dest)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/evil.txt"))
        }
        var broken = tarEntry("x.txt", [1, 2, 3])
        broken[10] = 65  // name changed after the checksum was computed
        writeFile(root + "/sum.tar.gz", Gzip.compress(tarArchive([broken])))
        assertDatasetError(["sum.tar.gz", "header checksum"]) {
            try TarExtractor.extract(from: GzipReader(path: root + "/sum.tar.gz"), into: out)
        }
        writeFile(root + "/cut.tar.gz", Gzip.compress(Array(tarEntry("y.txt", [UInt8](repeating: 1, count: 2000)).prefix(1024))))
        assertDatasetError(["cut.tar.gz", "truncated"]) {
            try TarExtractor.extract(from: GzipReader(path: root + "/cut.tar.gz"), into: out)
        }
    }

    /// Lists a folder including hidden names, sorted.
    private func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func testDownloadVerifyExtractThroughLoopbackServer() throws {
        let archive = syntheticBinaryArchive(perBatch: 4)
        let server = LoopbackServer(files: ["cifar-10-binary.tar.gz": archive])
        defer { server.stop() }
        let root = makeTempDir("dl")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = CIFAR10.Archive(format: .binary, md5: MD5.hex(archive))
        // Leftovers of a killed earlier run are cleared.
        writeFile(root + "/.cifar-10-binary.tar.gz.part-99999", [1, 2, 3])
        writeFile(root + "/.extract-cifar-10-batches-bin-99999/cifar-10-batches-bin/test_batch.bin", [1])
        var events: [DataProgress] = []
        let train = try CIFAR10.load(root: root, split: .train, download: true, archives: [spec],
                                     baseURL: server.baseURL) { events.append($0) }
        XCTAssertEqual(server.requestedPaths, ["/mirror/cifar-10-binary.tar.gz"])
        XCTAssertEqual(train.count, 20)
        XCTAssertEqual(Array(train.labels.prefix(4)), [1, 4, 7, 0])
        XCTAssertEqual(train.pixel(1, 2, 3, 1), fakePixel(batch: 1, record: 1, channel: 1, pixel: 2 * 32 + 3))
        let downloads = events.filter { $0.phase == .download }
        XCTAssertEqual(downloads.last?.done, Int64(archive.count))
        XCTAssertEqual(downloads.last?.total, Int64(archive.count))
        XCTAssertTrue(events.contains { $0.phase == .extract && $0.file == "cifar-10-batches-bin/test_batch.bin" })
        XCTAssertEqual(listing(root), ["cifar-10-batches-bin", "cifar-10-binary.tar.gz"])
        XCTAssertEqual(try readWholeFile(root + "/cifar-10-binary.tar.gz"), archive)
        // Second use reads the folder; no new request.
        let test = try CIFAR10.load(root: root, split: .test, download: true, archives: [spec], baseURL: server.baseURL)
        XCTAssertEqual(test.count, 4)
        XCTAssertEqual(server.requestedPaths.count, 1)
    }

    func testPythonArchiveDownloadReadsThePickles() throws {
        let archive = syntheticPythonArchive(perBatch: 3)
        let server = LoopbackServer(files: ["cifar-10-python.tar.gz": archive])
        defer { server.stop() }
        let root = makeTempDir("dlpy")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = CIFAR10.Archive(format: .python, md5: MD5.hex(archive))
        let train = try CIFAR10.load(root: root, split: .train, archives: [spec], baseURL: server.baseURL)
        XCTAssertEqual(train.count, 15)
        XCTAssertEqual(Array(train.labels.prefix(4)), [1, 4, 7, 2])
        XCTAssertEqual(train.pixel(14, 31, 31, 2), fakePixel(batch: 5, record: 2, channel: 2, pixel: 1023))
        XCTAssertEqual(listing(root), ["cifar-10-batches-py", "cifar-10-python.tar.gz"])
    }

    func testCorruptDownloadFailsMD5AndLeavesNothing() throws {
        var archive = syntheticBinaryArchive(perBatch: 2)
        let md5 = MD5.hex(archive)
        archive[archive.count / 2] ^= 1
        let server = LoopbackServer(files: ["cifar-10-binary.tar.gz": archive])
        defer { server.stop() }
        let root = makeTempDir("dlbad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = CIFAR10.Archive(format: .binary, md5: md5)
        assertDatasetError(["cifar-10-binary.tar.gz", "MD5 mismatch", "expected \(md5)", "got \(MD5.hex(archive))"]) {
            _ = try CIFAR10.load(root: root, split: .train, archives: [spec], baseURL: server.baseURL)
        }
        XCTAssertEqual(listing(root), [])
    }

    /// An interrupt during a download cancels it: a clear error, and neither the archive nor a partial file is left.
    func testInterruptedDownloadStopsAndLeavesNothing() throws {
        let body = [UInt8](repeating: 7, count: 16 << 20)
        // 16 chunks of 1 MiB, 50 ms apart: about 0.8 s if it ran to the end.
        let server = LoopbackServer(files: ["cifar-10-binary.tar.gz": body], chunkBytes: 1 << 20, chunkDelay: 0.05)
        defer { server.stop() }
        let root = makeTempDir("dlstop")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = CIFAR10.Archive(format: .binary, md5: MD5.hex(body))
        let lock = NSLock()
        var received: Int64 = 0, polledAfterData = false
        let started = Date()
        XCTAssertThrowsError(try CIFAR10.load(root: root, split: .train, archives: [spec], baseURL: server.baseURL,
                                              progress: { p in lock.lock(); received = max(received, p.done); lock.unlock() },
                                              interrupted: {
                                                  lock.lock(); defer { lock.unlock() }
                                                  if received > 0 { polledAfterData = true }
                                                  return received > 0
                                              })) { error in
            XCTAssertEqual(error as? DatasetError, .interrupted(file: "cifar-10-binary.tar.gz"))
            XCTAssertEqual("\(error)", "download of cifar-10-binary.tar.gz interrupted; nothing of it was kept")
        }
        XCTAssertTrue(polledAfterData)
        lock.lock(); let got = received; lock.unlock()
        XCTAssertLessThan(got, Int64(body.count), "cancelled before the end")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(listing(root), [])
    }

    /// A server that goes quiet mid-body: an interrupt still ends the download within about 0.1 s
    /// (curl's transfer loop wakes every 0.1 s to ask), not at the server's next byte.
    func testInterruptDuringAStalledTransferStopsPromptly() throws {
        let body = [UInt8](repeating: 3, count: 2 << 20)
        // The first MiB at once, then 2 s of silence.
        let server = LoopbackServer(files: ["cifar-10-binary.tar.gz": body], chunkBytes: 1 << 20, chunkDelay: 2)
        defer { server.stop() }
        let root = makeTempDir("dlstall")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = CIFAR10.Archive(format: .binary, md5: MD5.hex(body))
        let lock = NSLock()
        var firstData: Date?
        var stoppedAsked: Date?
        XCTAssertThrowsError(try CIFAR10.load(root: root, split: .train, archives: [spec], baseURL: server.baseURL,
                                              progress: { p in
                                                  lock.lock(); if p.done > 0 && firstData == nil { firstData = Date() }; lock.unlock()
                                              },
                                              interrupted: {
                                                  lock.lock(); defer { lock.unlock() }
                                                  guard let first = firstData, Date().timeIntervalSince(first) > 0.3 else { return false }
                                                  if stoppedAsked == nil { stoppedAsked = Date() }
                                                  return true
                                              })) { error in
            XCTAssertEqual(error as? DatasetError, .interrupted(file: "cifar-10-binary.tar.gz"))
        }
        lock.lock(); let asked = stoppedAsked, first = firstData; lock.unlock()
        XCTAssertNotNil(first, "the first MiB arrived")
        let asked0 = try XCTUnwrap(asked)
        XCTAssertLessThan(Date().timeIntervalSince(asked0), 0.5, "stopped soon after the interrupt, not at the next byte")
        XCTAssertLessThan(asked0.timeIntervalSince(first!), 1.0, "the interrupt was polled during the silence")
        XCTAssertEqual(listing(root), [])
    }

    func testNoServerGivesOneClearMessage() throws {
        let root = makeTempDir("dlnone")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let base = "http://127.0.0.1:\(LoopbackServer.deadPort())/kriz/"
        assertDatasetError(["could not download cifar-10-binary.tar.gz", base + "cifar-10-binary.tar.gz",
                            "MD5 c32a1d4ab5d03f1284b67883e8d87530", "put it in \(root)/"]) {
            _ = try CIFAR10.load(root: root, split: .train, baseURL: base)
        }
        XCTAssertEqual(listing(root), [])
        // A server without the file: HTTP 404 is named too.
        let server = LoopbackServer(files: [:])
        defer { server.stop() }
        assertDatasetError(["HTTP status 404", "cifar-10-binary.tar.gz"]) {
            _ = try CIFAR10.load(root: root, split: .train, baseURL: server.baseURL)
        }
        XCTAssertEqual(listing(root), [])
    }

    func testArchiveCopiedByHandIsVerifiedAndExtracted() throws {
        let archive = syntheticBinaryArchive(perBatch: 2)
        let root = makeTempDir("byhand")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var corrupt = archive
        corrupt[100] ^= 0xFF
        writeFile(root + "/cifar-10-binary.tar.gz", corrupt)
        let spec = CIFAR10.Archive(format: .binary, md5: MD5.hex(archive))
        assertDatasetError([root + "/cifar-10-binary.tar.gz", "MD5 mismatch"]) {
            _ = try CIFAR10.load(root: root, split: .test, download: false, archives: [spec])
        }
        XCTAssertEqual(listing(root), ["cifar-10-binary.tar.gz"])
        writeFile(root + "/cifar-10-binary.tar.gz", archive)
        let test = try CIFAR10.load(root: root, split: .test, download: false, archives: [spec])
        XCTAssertEqual(test.labels, [0, 3])
        XCTAssertEqual(listing(root), ["cifar-10-batches-bin", "cifar-10-binary.tar.gz"])
    }
}

final class OfficialMirrorProbe: XCTestCase {
    /// Tries the real download URL; only with SWIFT_LAB_NETWORK_PROBE=1 (never in CI). Without network it must
    /// fail quickly with the one-line message.
    func testOfficialURLProbe() throws {
        guard ProcessInfo.processInfo.environment["SWIFT_LAB_NETWORK_PROBE"] == "1" else {
            throw XCTSkip("set SWIFT_LAB_NETWORK_PROBE=1 to try the official URL")
        }
        let root = makeTempDir("probe")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let start = Date()
        do {
            _ = try CIFAR10.load(root: root, split: .test)
            print("probe: downloaded the official archive")
        } catch {
            print("probe after \(Date().timeIntervalSince(start)) s: \(error)")
            XCTAssertTrue("\(error)".contains("cifar-10-binary.tar.gz"))
        }
    }
}

final class SystemTarCheck: XCTestCase {
    /// Extracts every *.tar.gz in $SWIFT_LAB_TAR_CHECK (archives made by other tar programs); opt-in, not in CI.
    func testArchivesFromOtherTools() throws {
        guard let dir = ProcessInfo.processInfo.environment["SWIFT_LAB_TAR_CHECK"] else {
            throw XCTSkip("set SWIFT_LAB_TAR_CHECK=<folder of .tar.gz files> to try them")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".tar.gz") {
            let out = makeTempDir("sys")
            defer { try? FileManager.default.removeItem(atPath: out) }
            do {
                let files = try TarExtractor.extract(from: GzipReader(path: dir + "/" + name), into: out)
                let test = try CIFAR10.read(folder: out + "/cifar-10-batches-bin", archive: .binary, split: .test)
                print("\(name): \(files.count) files, test labels \(test.labels)")
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }
}
