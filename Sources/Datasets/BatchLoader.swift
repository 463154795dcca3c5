import Foundation
import TensorEngine

/// Feeds a model batches of transformed images, prepared on a background thread (double buffering).
///
/// Each epoch visits every image once, in a seeded random order when `shuffle`
/// is on (a new order every epoch), in stored order otherwise; the last batch
/// may be smaller. Batch `b` of epoch `e` depends only on `(seed, e, b)`: the
/// order and each image's crop and flip come from generators seeded by those
/// numbers, so the stream is the same whatever the thread timing.
///
/// Usage:
/// ```
/// let loader = BatchLoader(dataset: train, batchSize: 128, shuffle: true, augment: true, seed: 42)
/// for epoch in 0 ..< 5 {
///     loader.startEpoch(epoch)
///     while let batch = loader.next() { /* batch.images: [n, H, W, C]; batch.labels: [n] */ }
/// }
/// loader.stop()   // also done on deinit; safe to call mid-epoch
/// ```
/// Two slots hold the batches: the one the caller is using and the one being
/// filled. Buffers are allocated once; a batch's `images` and `labels` are valid
/// until the next call to `next()`, `startEpoch` or `stop()`.
public final class BatchLoader {
    /// One batch, living in a loader slot.
    public struct Batch {
        /// `[count, H, W, C]` float, transformed and normalized.
        public let images: Tensor
        /// `[count]` class indices.
        public let labels: UnsafeBufferPointer<Int32>
        /// Images in this batch (`batchSize`, or fewer for the last one).
        public let count: Int
        /// Position of the batch in its epoch, and the epoch.
        public let index: Int, epoch: Int
        /// The labels copied into an array.
        public var labelArray: [Int32] { Array(labels) }
        /// Keeps the slot's buffers alive while the batch value exists, even past the loader.
        let slot: LoaderSlot
    }

    public let dataset: LabDataset
    public let batchSize: Int
    public let shuffle: Bool
    public let transform: Transform
    public let seed: UInt64
    /// Batches per epoch, the last one possibly partial.
    public var batchesPerEpoch: Int { (dataset.count + batchSize - 1) / batchSize }

    private let core: LoaderCore

    /// A loader over `dataset`; `augment` picks the training transform, else the test transform.
    public convenience init(dataset: LabDataset, batchSize: Int = 128, shuffle: Bool, augment: Bool, seed: UInt64) {
        self.init(dataset: dataset, batchSize: batchSize, shuffle: shuffle,
                  transform: augment ? .train(channels: dataset.channels) : .test(channels: dataset.channels),
                  seed: seed)
    }

    /// A loader with an explicit transform.
    public init(dataset: LabDataset, batchSize: Int = 128, shuffle: Bool, transform: Transform, seed: UInt64) {
        precondition(batchSize > 0, "batch size must be positive")
        precondition(transform.mean.count == dataset.channels, "transform channels differ from the data set's")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.transform = transform
        self.seed = seed
        core = LoaderCore(dataset: dataset, batchSize: batchSize, transform: transform, seed: seed)
    }

    deinit { core.shutdown() }

    /// The visiting order of `epoch`: a seeded permutation, or the identity without shuffling.
    public func order(epoch: Int) -> [Int32] {
        BatchLoader.order(count: dataset.count, shuffle: shuffle, seed: seed, epoch: epoch)
    }

    static func order(count: Int, shuffle: Bool, seed: UInt64, epoch: Int) -> [Int32] {
        var order = (0 ..< count).map { Int32($0) }
        guard shuffle else { return order }
        var rng = SeededRandom(seed: mixSeed(seed, UInt64(epoch), 0xFFFF_FFFF))
        var i = count - 1
        while i > 0 {
            let j = rng.int(below: i + 1)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    /// Starts (or restarts) `epoch`: drops any batches prepared for an unfinished one and begins filling.
    public func startEpoch(_ epoch: Int) {
        core.start(epoch: epoch, order: order(epoch: epoch))
    }

    /// The next batch of the current epoch, waiting for the background thread if needed; nil at its end.
    public func next() -> Batch? {
        guard let (slot, index, epoch, count) = core.take() else { return nil }
        return Batch(images: slot.images, labels: UnsafeBufferPointer(start: slot.labels, count: count),
                     count: count, index: index, epoch: epoch, slot: slot)
    }

    /// Stops the background thread and waits for it to exit. Idempotent; `startEpoch` starts a new one.
    public func stop() { core.shutdown() }

    /// Whether a background thread is currently alive (for tests of clean shutdown).
    public var threadRunning: Bool { core.threadRunning }

    /// Fills batch `index` of `epoch` synchronously, on the calling thread, into caller-owned buffers.
    ///
    /// `images` must hold `batchSize * H * W * C` floats and is reshaped to `[n, H, W, C]`; `labels` holds `batchSize`.
    /// Returns n. The result is identical to what the background thread produces.
    public func fill(batch index: Int, epoch: Int, images: Tensor, labels: UnsafeMutablePointer<Int32>) -> Int {
        core.fill(order: order(epoch: epoch), epoch: epoch, batch: index, images: images, labels: labels)
    }
}

/// Combines a seed with up to two indices into a new, well-mixed seed.
func mixSeed(_ seed: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
    var rng = SeededRandom(seed: seed ^ (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F))
    return rng.next()
}
