import Foundation
import TensorEngine

/// Measures the batch loader alone: augmented, CIFAR-shaped batches from one background thread.
public enum LoaderBenchmark {
    /// Images per second delivered by a `BatchLoader` over `images` random 32x32x3 images,
    /// batch 128, crop + flip + normalize, consumed without any work, over `epochs` epochs.
    public static func run(images: Int = 10_000, epochs: Int = 3, seed: UInt64 = 1) -> Double {
        var rng = SeededRandom(seed: seed)
        var pixels = [UInt8](repeating: 0, count: images * 3072)
        pixels.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in 0 ..< words.count { words[i] = rng.next() }
        }
        let labels = (0 ..< images).map { Int32($0 % 10) }
        let data = LabDataset(name: "benchmark", classNames: CIFAR10.classNames, channels: 3, height: 32, width: 32,
                              images: pixels, labels: labels)
        let loader = BatchLoader(dataset: data, batchSize: 128, shuffle: true, augment: true, seed: seed)
        defer { loader.stop() }
        // One warm-up epoch, not timed.
        loader.startEpoch(0)
        while loader.next() != nil {}
        var delivered = 0
        var checksum: Float = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for e in 1 ... epochs {
            loader.startEpoch(e)
            while let b = loader.next() {
                delivered += b.count
                checksum += b.images.data[0]
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if checksum.isNaN { print("unexpected NaN in the benchmark batches") }
        return Double(delivered) / seconds
    }
}
