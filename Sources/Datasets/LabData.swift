import Foundation
import TensorEngine

/// The data sets the lab knows by name, loaded as a train/test pair: the one call a session needs.
public enum LabData: String, CaseIterable, Sendable {
    /// CIFAR-10 from ./data (or `root`), downloaded on request.
    case cifar10 = "cifar10"
    /// Fashion-MNIST from Debian's dataset-fashion-mnist (or `root`).
    case fashionMNIST = "fashion-mnist"
    /// The seeded synthetic set of colored shapes (CI and quick runs).
    case synthetic = "synthetic"

    /// Parses a user-typed name: "cifar10", "cifar-10", "fashion-mnist", "fashion", "synthetic".
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "cifar10", "cifar-10", "cifar": self = .cifar10
        case "fashion-mnist", "fashionmnist", "fashion", "fmnist": self = .fashionMNIST
        case "synthetic", "synth": self = .synthetic
        default: return nil
        }
    }

    /// Options for `load`; the defaults are the lab's.
    public struct Options: Sendable {
        /// Folder to read from; nil means ./data for CIFAR-10 and Debian's folder for Fashion-MNIST.
        public var root: String?
        /// Whether CIFAR-10 may be downloaded.
        public var download = true
        /// Download mirror for CIFAR-10.
        public var baseURL = CIFAR10.officialBaseURL
        /// Synthetic set: seed, sizes, geometry.
        public var seed: UInt64 = 0
        public var trainCount = 5000, testCount = 1000, channels = 3, size = 32
        public init() {}
    }

    /// Loads the training and test sets.
    public func load(_ options: Options = Options(),
                     progress: ((DataProgress) -> Void)? = nil) throws -> (train: LabDataset, test: LabDataset) {
        switch self {
        case .cifar10:
            let root = options.root ?? "./data"
            let train = try CIFAR10.load(root: root, split: .train, download: options.download,
                                         baseURL: options.baseURL, progress: progress)
            let test = try CIFAR10.load(root: root, split: .test, download: false, baseURL: options.baseURL)
            return (train, test)
        case .fashionMNIST:
            let root = options.root ?? FashionMNIST.debianRoot
            return (try FashionMNIST.load(root: root, split: .train), try FashionMNIST.load(root: root, split: .test))
        case .synthetic:
            return SyntheticDataset.make(seed: options.seed, trainCount: options.trainCount, testCount: options.testCount,
                                         channels: options.channels, size: options.size)
        }
    }
}

extension LabDataset {
    /// Image `n` scaled to [0, 1] for display, no augmentation: `[height, width, channels]` float.
    public func displayImage(_ n: Int) -> [Float] {
        image(n).map { Float($0) / 255 }
    }

    /// Chosen images as one model input, through `transform` without its randomness (centre crop, no flip).
    ///
    /// For looking inside the model with a few test images (e.g. `batch([0])` for one image).
    /// Returns images `[indices.count, H, W, C]` float, normalized, and their labels.
    public func batch(_ indices: [Int], transform: Transform? = nil) -> (images: Tensor, labels: [Int32]) {
        let t = transform ?? .test(channels: channels)
        let table = t.lookupTable(channels: channels)
        let out = Tensor(shape: [indices.count, height, width, channels])
        images.withUnsafeBufferPointer { src in
            for (k, i) in indices.enumerated() {
                precondition(i >= 0 && i < count, "image \(i) is outside 0..<\(count)")
                t.apply(src.baseAddress! + i * imageSize, to: out.data + k * imageSize, height: height, width: width,
                        channels: channels, draw: t.identityDraw, table: table)
            }
        }
        return (out, indices.map { labels[$0] })
    }
}
