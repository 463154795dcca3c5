import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class LoaderTests: XCTestCase {
    private static let data = SyntheticDataset.load(split: .train, seed: 3, count: 300)

    private func collect(_ loader: BatchLoader, epoch: Int) -> (images: [[Float]], labels: [[Int32]]) {
        var images: [[Float]] = [], labels: [[Int32]] = []
        loader.startEpoch(epoch)
        while let b = loader.next() {
            images.append(b.images.toArray())
            labels.append(b.labelArray)
        }
        return (images, labels)
    }

    func testShapesAndPartialLastBatch() {
        let loader = BatchLoader(dataset: Self.data, batchSize: 128, shuffle: true, augment: true, seed: 1)
        defer { loader.stop() }
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        loader.startEpoch(0)
        var shapes: [[Int]] = [], indices: [Int] = []
        while let b = loader.next() {
            shapes.append(b.images.shape)
            indices.append(b.index)
            XCTAssertEqual(b.labels.count, b.count)
            XCTAssertEqual(b.epoch, 0)
        }
        XCTAssertEqual(shapes, [[128, 32, 32, 3], [128, 32, 32, 3], [44, 32, 32, 3]])
        XCTAssertEqual(indices, [0, 1, 2])
        XCTAssertNil(loader.next())
    }

    func testEveryImageOncePerEpochAndReshuffled() {
        let loader = BatchLoader(dataset: Self.data, batchSize: 64, shuffle: true, augment: false, seed: 9)
        defer { loader.stop() }
        let o0 = loader.order(epoch: 0), o1 = loader.order(epoch: 1)
        XCTAssertEqual(o0.sorted(), (0 ..< 300).map { Int32($0) })
        XCTAssertEqual(o1.sorted(), (0 ..< 300).map { Int32($0) })
        XCTAssertNotEqual(o0, o1)
        let e0 = collect(loader, epoch: 0), e1 = collect(loader, epoch: 1)
        XCTAssertEqual(e0.labels.flatMap { $0 }, o0.map { Self.data.labels[Int($0)] })
        XCTAssertNotEqual(e0.labels, e1.labels)
        var counts = [Int](repeating: 0, count: 10)
        for l in e1.labels.flatMap({ $0 }) { counts[Int(l)] += 1 }
        XCTAssertEqual(counts, Self.data.classCounts())
        // Without augmentation, a batch holds the normalized images in visiting order.
        let first = Int(o0[0])
        XCTAssertEqual(e0.images[0][5 * 3 + 1], (Float(Self.data.pixel(first, 0, 5, 1)) / 255 - 0.5) / 0.5, accuracy: 1e-6)

        let test = BatchLoader(dataset: Self.data, batchSize: 100, shuffle: false, augment: false, seed: 9)
        defer { test.stop() }
        XCTAssertEqual(test.order(epoch: 3), (0 ..< 300).map { Int32($0) })
        XCTAssertEqual(collect(test, epoch: 0).images, collect(test, epoch: 1).images)
    }

    func testSeedReproducesBatchesExactlyAndAnotherSeedDoesNot() {
        let a = BatchLoader(dataset: Self.data, batchSize: 50, shuffle: true, augment: true, seed: 77)
        let b = BatchLoader(dataset: Self.data, batchSize: 50, shuffle: true, augment: true, seed: 77)
        let c = BatchLoader(dataset: Self.data, batchSize: 50, shuffle: true, augment: true, seed: 78)
        defer { a.stop(); b.stop(); c.stop() }
        let ra = collect(a, epoch: 2), rb = collect(b, epoch: 2), rc = collect(c, epoch: 2)
        XCTAssertEqual(ra.images, rb.images)
        XCTAssertEqual(ra.labels, rb.labels)
        XCTAssertNotEqual(ra.images[0], rc.images[0])
        XCTAssertNotEqual(ra.labels[0], rc.labels[0])
        // The synchronous fill gives the same bytes as the background thread.
        let images = Tensor(shape: [50, 32, 32, 3])
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 50)
        defer { labels.deallocate() }
        let n = a.fill(batch: 3, epoch: 2, images: images, labels: labels)
        XCTAssertEqual(n, 50)
        XCTAssertEqual(images.toArray(), ra.images[3])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: labels, count: n)), ra.labels[3])
        // Augmentation changes pixels: same order without augmentation differs.
        let plain = BatchLoader(dataset: Self.data, batchSize: 50, shuffle: true, augment: false, seed: 77)
        defer { plain.stop() }
        let rp = collect(plain, epoch: 2)
        XCTAssertEqual(rp.labels, ra.labels)
        XCTAssertNotEqual(rp.images[0], ra.images[0])
    }

    private func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    func testStopMidEpochAndNoLeakedThreads() {
        let before = threadCount()
        for k in 0 ..< 20 {
            let loader = BatchLoader(dataset: Self.data, batchSize: 32, shuffle: true, augment: true, seed: UInt64(k))
            loader.startEpoch(0)
            XCTAssertNotNil(loader.next())
            if k % 2 == 0 { loader.stop(); XCTAssertFalse(loader.threadRunning) }
            // odd k: dropped mid-epoch, deinit stops the thread
        }
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertLessThanOrEqual(threadCount(), before + 1)

        // Interrupt, then start a new epoch: it is complete and identical to an uninterrupted one.
        let loader = BatchLoader(dataset: Self.data, batchSize: 32, shuffle: true, augment: true, seed: 5)
        loader.startEpoch(1)
        _ = loader.next(); _ = loader.next()
        loader.startEpoch(1)
        var restarted: [[Float]] = []
        while let b = loader.next() { restarted.append(b.images.toArray()) }
        XCTAssertEqual(restarted.count, 10)
        loader.stop()
        XCTAssertNil(loader.next())
        let fresh = BatchLoader(dataset: Self.data, batchSize: 32, shuffle: true, augment: true, seed: 5)
        XCTAssertEqual(collect(fresh, epoch: 1).images, restarted)
        fresh.stop()
    }

    func testSyntheticSetIsBalancedDeterministicAndLearnable() {
        let (train, test) = SyntheticDataset.make(seed: 1, trainCount: 1000, testCount: 200)
        XCTAssertEqual(train.classCounts(), [Int](repeating: 100, count: 10))
        XCTAssertEqual(test.classCounts(), [Int](repeating: 20, count: 10))
        XCTAssertEqual([train.channels, train.height, train.width], [3, 32, 32])
        XCTAssertEqual(train.images, SyntheticDataset.load(split: .train, seed: 1, count: 1000).images)
        XCTAssertNotEqual(train.images, SyntheticDataset.load(split: .train, seed: 2, count: 1000).images)
        XCTAssertNotEqual(Array(train.images.prefix(3072)), Array(test.images.prefix(3072)))
        let gray = SyntheticDataset.load(split: .test, seed: 1, count: 20, channels: 1, size: 28)
        XCTAssertEqual([gray.channels, gray.height, gray.width, gray.count], [1, 28, 28, 20])

        // Nearest class mean of the per-channel histogram of bright pixels: far above chance (10%).
        func feature(_ d: LabDataset, _ n: Int) -> [Float] {
            var f = [Float](repeating: 0, count: 3 * 8)
            for p in 0 ..< 1024 {
                let r = d.images[n * 3072 + p * 3], g = d.images[n * 3072 + p * 3 + 1], b = d.images[n * 3072 + p * 3 + 2]
                if max(r, g, b) > 150 { f[Int(r) / 32] += 1; f[8 + Int(g) / 32] += 1; f[16 + Int(b) / 32] += 1 }
            }
            let s = max(f.reduce(0, +), 1)
            return f.map { $0 / s }
        }
        var means = [[Float]](repeating: [Float](repeating: 0, count: 24), count: 10)
        for n in 0 ..< train.count { let f = feature(train, n); for k in 0 ..< 24 { means[Int(train.labels[n])][k] += f[k] / 100 } }
        var correct = 0
        for n in 0 ..< test.count {
            let f = feature(test, n)
            let guess = (0 ..< 10).min { a, b in
                zip(means[a], f).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) < zip(means[b], f).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }!
            if guess == Int(test.labels[n]) { correct += 1 }
        }
        XCTAssertGreaterThan(Double(correct) / Double(test.count), 0.5)
    }

    func testLoaderThroughput() {
        let rate = LoaderBenchmark.run(images: 5000, epochs: 2)
        print("BatchLoader: \(Int(rate)) images/s (augmented 128x32x32x3, one background thread)")
        #if !DEBUG
        XCTAssertGreaterThan(rate, 20_000)   // the requirement holds for release builds
        #endif
    }
}

final class SyntheticDumpTool: XCTestCase {
    /// Writes the default synthetic set as raw files for an outside check (e.g. training torchvision's ResNet-18 on it).
    /// Only with SWIFT_LAB_DUMP_SYNTHETIC=<folder>: train-images.u8 ([N, 32, 32, 3]), train-labels.u8, test-*.
    func testDumpSynthetic() throws {
        guard let dir = ProcessInfo.processInfo.environment["SWIFT_LAB_DUMP_SYNTHETIC"] else {
            throw XCTSkip("set SWIFT_LAB_DUMP_SYNTHETIC=<folder> to dump the synthetic set")
        }
        let (train, test) = SyntheticDataset.make(seed: 0)
        for (name, d) in [("train", train), ("test", test)] {
            writeFile(dir + "/\(name)-images.u8", d.images)
            writeFile(dir + "/\(name)-labels.u8", d.labels.map { UInt8($0) })
        }
    }
}

final class LabDataTests: XCTestCase {
    func testNamesAndSyntheticPair() throws {
        XCTAssertEqual(LabData(name: "CIFAR-10"), .cifar10)
        XCTAssertEqual(LabData(name: "fashion_mnist"), .fashionMNIST)
        XCTAssertEqual(LabData(name: "synthetic"), .synthetic)
        XCTAssertNil(LabData(name: "imagenet"))
        var options = LabData.Options()
        options.trainCount = 40
        options.testCount = 20
        let (train, test) = try LabData.synthetic.load(options)
        XCTAssertEqual([train.count, test.count], [40, 20])
        XCTAssertEqual(train.classNames.first, "disc")
        XCTAssertEqual(train.displayImage(1)[7], Float(train.pixel(1, 0, 2, 1)) / 255)
        XCTAssertEqual(train.prefix(8).count, 8)
        // The display inverse of a normalized test batch gives back the bytes / 255.
        let loader = BatchLoader(dataset: train, batchSize: 16, shuffle: false, augment: false, seed: 0)
        defer { loader.stop() }
        loader.startEpoch(0)
        let batch = try XCTUnwrap(loader.next())
        let shown = loader.transform.displayImage(batch.images, index: 3)
        for k in [0, 100, 3071] { XCTAssertEqual(shown[k], train.displayImage(3)[k], accuracy: 1e-6) }
        // One chosen image as a model input equals its row of the unshuffled test batch.
        let one = train.batch([3])
        XCTAssertEqual(one.images.shape, [1, 32, 32, 3])
        XCTAssertEqual(one.labels, [train.labels[3]])
        XCTAssertEqual(one.images.toArray(), Array(batch.images.toArray()[3 * 3072 ..< 4 * 3072]))
    }
}
