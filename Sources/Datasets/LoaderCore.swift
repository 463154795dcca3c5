import Foundation
import TensorEngine

/// One preallocated batch buffer: images `[batchSize, H, W, C]` float and labels `[batchSize]` Int32.
final class LoaderSlot {
    let images: Tensor
    let labels: UnsafeMutablePointer<Int32>

    init(batchSize: Int, height: Int, width: Int, channels: Int) {
        images = Tensor(shape: [batchSize, height, width, channels])
        labels = .allocate(capacity: batchSize)
        labels.initialize(repeating: 0, count: batchSize)
    }

    deinit { labels.deallocate() }
}

/// The shared state of a loader and its background thread, guarded by one condition variable.
///
/// The thread is the only producer and the caller the only consumer. A
/// `generation` number tags each epoch: a batch finished for an abandoned
/// epoch goes back to the free list instead of the ready queue. The thread
/// holds this object, not the `BatchLoader`, so dropping the loader runs its
/// deinit, which shuts the thread down and waits for it.
final class LoaderCore: @unchecked Sendable {
    let dataset: LabDataset
    let batchSize: Int
    let transform: Transform
    let seed: UInt64
    private let table: UnsafeMutablePointer<Float>
    private let slots: [LoaderSlot]

    private let cond = NSCondition()
    // Guarded by `cond`:
    private var generation = 0
    private var order: [Int32] = []
    private var epoch = 0
    private var batches = 0
    private var nextToFill = 0
    private var consumed = 0
    private var active = false
    private var free: [Int]
    private var ready: [(slot: Int, index: Int, count: Int)] = []
    private var held: Int?
    private var stopping = false
    private var running = false

    init(dataset: LabDataset, batchSize: Int, transform: Transform, seed: UInt64) {
        self.dataset = dataset
        self.batchSize = batchSize
        self.transform = transform
        self.seed = seed
        let t = transform.lookupTable(channels: dataset.channels)
        table = .allocate(capacity: t.count)
        table.initialize(from: t, count: t.count)
        slots = (0 ..< 2).map { _ in
            LoaderSlot(batchSize: batchSize, height: dataset.height, width: dataset.width, channels: dataset.channels)
        }
        free = [0, 1]
    }

    deinit { table.deallocate() }

    var threadRunning: Bool {
        cond.lock(); defer { cond.unlock() }
        return running
    }

    /// Begins `epoch` with the given order, abandoning whatever was in flight.
    func start(epoch: Int, order: [Int32]) {
        cond.lock()
        generation += 1
        if let h = held { free.append(h); held = nil }
        free.append(contentsOf: ready.map(\.slot))
        ready.removeAll()
        self.order = order
        self.epoch = epoch
        batches = (order.count + batchSize - 1) / batchSize
        nextToFill = 0
        consumed = 0
        active = true
        stopping = false
        if !running {
            running = true
            let thread = Thread { [self] in self.produce() }
            thread.name = "BatchLoader"
            thread.start()
        }
        cond.broadcast()
        cond.unlock()
    }

    /// Hands out the next ready batch, releasing the one held before; nil at the end of the epoch.
    func take() -> (LoaderSlot, Int, Int, Int)? {
        cond.lock()
        defer { cond.unlock() }
        if let h = held { free.append(h); held = nil; cond.broadcast() }
        guard active, consumed < batches else { return nil }
        while ready.isEmpty {
            if !running { return nil }   // stopped underneath us
            cond.wait()
        }
        let r = ready.removeFirst()
        consumed += 1
        held = r.slot
        return (slots[r.slot], r.index, epoch, r.count)
    }

    /// Stops the thread and waits until it has exited.
    func shutdown() {
        cond.lock()
        stopping = true
        active = false
        generation += 1
        if let h = held { free.append(h); held = nil }
        free.append(contentsOf: ready.map(\.slot))
        ready.removeAll()
        cond.broadcast()
        while running { cond.wait() }
        cond.unlock()
    }

    /// The background thread: fill free slots with the next batches until told to stop.
    private func produce() {
        cond.lock()
        while true {
            while !stopping && !(active && nextToFill < batches && !free.isEmpty) { cond.wait() }
            if stopping { break }
            let slot = free.removeFirst()
            let index = nextToFill
            nextToFill += 1
            let gen = generation, order = self.order, epoch = self.epoch
            cond.unlock()
            let s = slots[slot]
            let n = fill(order: order, epoch: epoch, batch: index, images: s.images, labels: s.labels)
            cond.lock()
            if gen == generation { ready.append((slot, index, n)) } else { free.append(slot) }
            cond.broadcast()
        }
        running = false
        cond.broadcast()
        cond.unlock()
    }

    /// Writes batch `index` of an epoch with visiting `order` into `images` (reshaped to `[n, H, W, C]`) and `labels`.
    func fill(order: [Int32], epoch: Int, batch index: Int, images: Tensor,
              labels: UnsafeMutablePointer<Int32>) -> Int {
        let start = index * batchSize
        let n = max(0, min(batchSize, order.count - start))
        let (h, w, c) = (dataset.height, dataset.width, dataset.channels)
        images.reshape([n, h, w, c])
        var rng = SeededRandom(seed: mixSeed(seed, UInt64(epoch), UInt64(index)))
        let imageSize = h * w * c
        let transform = self.transform, table = UnsafePointer(self.table)
        dataset.images.withUnsafeBufferPointer { src in
            dataset.labels.withUnsafeBufferPointer { lab in
                order.withUnsafeBufferPointer { ord in
                    for k in 0 ..< n {
                        let i = Int(ord[start + k])
                        labels[k] = lab[i]
                        let d = transform.augments ? transform.draw(&rng) : transform.identityDraw
                        transform.apply(src.baseAddress! + i * imageSize, to: images.data + k * imageSize,
                                        height: h, width: w, channels: c, draw: d, table: table)
                    }
                }
            }
        }
        return n
    }
}
