import Foundation

/// Fashion-MNIST: 60,000 + 10,000 grayscale 28x28 images of clothing in 10 classes, from gzip'd IDX files.
///
/// Debian's dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist:
/// train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
/// t10k-labels-idx1-ubyte.gz. IDX layout: a big-endian magic (0x00000803 for
/// 3-D uint8 images, 0x00000801 for 1-D uint8 labels), one big-endian UInt32 per
/// dimension, then the bytes. Images come out as `[N, 28, 28, 1]` uint8.
public enum FashionMNIST {
    /// The class names in label order.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// Where Debian's package puts the files.
    public static let debianRoot = "/usr/share/datasets/fashion-mnist"

    /// Loads `split` from the four IDX files in `root`.
    public static func load(root: String = debianRoot, split: DataSplit) throws -> LabDataset {
        let stem = split == .train ? "train" : "t10k"
        let imagePath = root + "/\(stem)-images-idx3-ubyte.gz"
        let labelPath = root + "/\(stem)-labels-idx1-ubyte.gz"
        for path in [imagePath, labelPath] where !FileManager.default.fileExists(atPath: path) {
            throw DatasetError.missingFile(path: path, hint: "install Debian's dataset-fashion-mnist "
                + "(apt-get install dataset-fashion-mnist) or put the four Fashion-MNIST .gz files in \(root)/")
        }
        let (images, dims) = try readIDX(path: imagePath, magic: 0x0000_0803)
        let (labelBytes, labelDims) = try readIDX(path: labelPath, magic: 0x0000_0801)
        guard dims[0] == labelDims[0] else {
            throw DatasetError.badSize(path: labelPath, detail: "\(labelDims[0]) labels for \(dims[0]) images in \(imagePath)")
        }
        var labels = [Int32](repeating: 0, count: labelBytes.count)
        for (i, b) in labelBytes.enumerated() {
            guard b < 10 else { throw DatasetError.labelOutOfRange(path: labelPath, index: i, label: Int(b), classes: 10) }
            labels[i] = Int32(b)
        }
        return LabDataset(name: "Fashion-MNIST \(split.rawValue)", classNames: classNames, channels: 1,
                          height: dims[1], width: dims[2], images: images, labels: labels)
    }

    /// Reads a gzip'd IDX file of unsigned bytes; returns the payload and its dimensions.
    ///
    /// `magic` is 0x00000801 (1-D) or 0x00000803 (3-D): type byte 0x08 = uint8, last byte = rank.
    public static func readIDX(path: String, magic: UInt32) throws -> (bytes: [UInt8], dims: [Int]) {
        var bytes = try GzipReader.decompress(path: path)
        guard bytes.count >= 4 else { throw DatasetError.truncated(path: path, detail: "no IDX header") }
        func be32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        let found = be32(0)
        guard found == magic else {
            throw DatasetError.badMagic(path: path, found: String(format: "0x%08x", found),
                                        expected: String(format: "0x%08x", magic))
        }
        let rank = Int(magic & 0xFF)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw DatasetError.truncated(path: path, detail: "IDX header cut short") }
        let dims = (0 ..< rank).map { Int(be32(4 + 4 * $0)) }
        var expected = 1
        for d in dims {
            let (p, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow, p <= bytes.count else {
                throw DatasetError.badSize(path: path, detail: "dimensions \(dims) need more bytes than the file's \(bytes.count - headerSize)")
            }
            expected = p
        }
        guard bytes.count - headerSize == expected else {
            let what = bytes.count - headerSize < expected ? "truncated" : "too long"
            throw DatasetError.badSize(path: path, detail: "dimensions \(dims) need \(expected) bytes, "
                + "the file has \(bytes.count - headerSize) (\(what))")
        }
        bytes.removeFirst(headerSize)
        return (bytes, dims)
    }
}
