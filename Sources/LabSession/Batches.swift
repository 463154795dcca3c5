import Datasets
import Foundation
import TensorEngine

/// Turns a labelled data set into the network's input batches, deterministically.
///
/// Output images are NHWC `[N, H, W, C]` float32 normalized with mean 0.5 and
/// std 0.5 per channel (values in [-1, 1]). With augmentation (LAB.md §1, in
/// order): random crop to the same size from the image zero-padded by 4 on
/// every side, then a horizontal flip with p = 0.5, then scale and normalize.
enum Batches {
    /// The images at `indices` as one batch, and their labels.
    static func make(_ ds: LabDataset, indices: ArraySlice<Int>, augment: Bool,
                     rng: inout SeededRandom) -> (images: Tensor, labels: [Int32]) {
        let (h, w, c) = (ds.height, ds.width, ds.channels)
        let x = Tensor(shape: [indices.count, h, w, c])
        var labels: [Int32] = []
        labels.reserveCapacity(indices.count)
        ds.images.withUnsafeBufferPointer { src in
            for (b, n) in indices.enumerated() {
                labels.append(ds.labels[n])
                let img = src.baseAddress! + n * ds.imageSize
                let out = x.data + b * h * w * c
                var dy = 0, dx = 0, flip = false
                if augment {
                    dy = rng.int(below: 9) - 4
                    dx = rng.int(below: 9) - 4
                    flip = rng.uniform() < 0.5
                }
                for y in 0..<h {
                    let sy = y + dy
                    for xo in 0..<w {
                        let sx = (flip ? w - 1 - xo : xo) + dx
                        let o = out + (y * w + xo) * c
                        if sy < 0 || sy >= h || sx < 0 || sx >= w {
                            for ch in 0..<c { o[ch] = -1 }
                        } else {
                            let p = img + (sy * w + sx) * c
                            for ch in 0..<c { o[ch] = Float(p[ch]) / 127.5 - 1 }
                        }
                    }
                }
            }
        }
        return (x, labels)
    }

    /// A seeded permutation of `0..<count` (Fisher-Yates).
    static func shuffled(_ count: Int, rng: inout SeededRandom) -> [Int] {
        var a = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                a.swapAt(i, rng.int(below: i + 1))
            }
        }
        return a
    }

    /// The batches of one pass as index ranges into `order`.
    static func ranges(_ count: Int, batchSize: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: batchSize).map { $0..<min($0 + batchSize, count) }
    }

    /// NHWC normalized images back to NCHW values in [0, 1] for display.
    static func displayCHW(_ x: Tensor) -> [Float] {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out = [Float](repeating: 0, count: n * c * h * w)
        for i in 0..<n {
            for y in 0..<h {
                for xx in 0..<w {
                    for ch in 0..<c {
                        out[((i * c + ch) * h + y) * w + xx] = x.data[((i * h + y) * w + xx) * c + ch] * 0.5 + 0.5
                    }
                }
            }
        }
        return out
    }
}
