import Datasets
import Foundation
import TensorEngine

/// Small conversions between the data sets and what the lab's commands show.
enum Batches {
    /// Test image `index` as a batch of one, transformed for testing (scale, normalize 0.5/0.5):
    /// NHWC `[1, H, W, C]`.
    static func testImage(_ d: LoadedData, index: Int) -> Tensor {
        let loader = BatchLoader(dataset: d.test, batchSize: 1, shuffle: false, augment: false, seed: 0)
        let x = Tensor(shape: [1, d.test.height, d.test.width, d.test.channels])
        var label: Int32 = 0
        _ = loader.fill(batch: index, epoch: 0, images: x, labels: &label)
        return x
    }

    /// NHWC normalized images (mean 0.5, std 0.5) back to NCHW values in [0, 1] for display.
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
