import Foundation

/// Which half of a data set: the training images or the held-out test images.
public enum DataSplit: String, Sendable, CaseIterable {
    case train, test
}

/// A labelled image data set held in memory as raw bytes, ready for a `BatchLoader`.
///
/// Every source (CIFAR-10 from either official format, Fashion-MNIST, the
/// synthetic set) produces one of these. Immutable once built, so it can be
/// shared with the loader's background thread.
///
/// Layouts:
/// - `images`: `[count, height, width, channels]` uint8, channels last (HWC per image),
///   the engine's NHWC order, 0...255.
/// - `labels`: `[count]` Int32, each in `0..<classNames.count`.
public final class LabDataset: @unchecked Sendable {
    /// A short display name, e.g. "CIFAR-10 train".
    public let name: String
    /// Class names in label order.
    public let classNames: [String]
    /// Image geometry.
    public let channels: Int, height: Int, width: Int
    /// `[count, height, width, channels]` uint8.
    public let images: [UInt8]
    /// `[count]` Int32 class indices.
    public let labels: [Int32]

    /// Number of images.
    public var count: Int { labels.count }
    /// Bytes per image (`height * width * channels`).
    public var imageSize: Int { height * width * channels }
    /// Number of classes.
    public var classCount: Int { classNames.count }

    /// Wraps already-validated arrays; sizes must agree.
    public init(name: String, classNames: [String], channels: Int, height: Int, width: Int,
                images: [UInt8], labels: [Int32]) {
        precondition(images.count == labels.count * channels * height * width,
                     "\(images.count) bytes for \(labels.count) images of \(height)x\(width)x\(channels)")
        self.name = name
        self.classNames = classNames
        self.channels = channels
        self.height = height
        self.width = width
        self.images = images
        self.labels = labels
    }

    /// The pixel value of image `n` at row `y`, column `x`, channel `c`.
    public func pixel(_ n: Int, _ y: Int, _ x: Int, _ c: Int) -> UInt8 {
        images[((n * height + y) * width + x) * channels + c]
    }

    /// The bytes of image `n`: `[height, width, channels]` uint8.
    public func image(_ n: Int) -> ArraySlice<UInt8> {
        images[n * imageSize ..< (n + 1) * imageSize]
    }

    /// How many images each class has, in label order.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }

    /// The first `n` images of the set (for quick runs), as a new data set.
    public func prefix(_ n: Int) -> LabDataset {
        let k = min(max(n, 0), count)
        return LabDataset(name: name, classNames: classNames, channels: channels, height: height, width: width,
                          images: Array(images[0 ..< k * imageSize]), labels: Array(labels[0 ..< k]))
    }
}

/// Converts channel-planar images to channels-last while copying.
///
/// `src`: `[n, channels, height, width]` uint8 (CIFAR's record layout);
/// `dst`: `[n, height, width, channels]` uint8.
@inline(__always)
func planarToInterleaved(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>,
                         images n: Int, channels c: Int, pixels hw: Int) {
    for i in 0 ..< n {
        let s = src + i * c * hw, d = dst + i * c * hw
        for ch in 0 ..< c {
            let plane = s + ch * hw
            var p = 0
            while p < hw { d[p * c + ch] = plane[p]; p += 1 }
        }
    }
}
