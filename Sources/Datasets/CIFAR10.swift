import Foundation

/// CIFAR-10: 60,000 32x32 RGB images in 10 classes, read from either official distribution.
///
/// Looks in `root` (./data by default, as the original notebook) for, in order:
/// 1. the unpacked binary version `cifar-10-batches-bin/` (data_batch_1.bin ... data_batch_5.bin,
///    test_batch.bin; records of 1 label byte + 3,072 pixel bytes, planes R, G, B, each 32x32 row-major);
/// 2. the unpacked Python version `cifar-10-batches-py/` (data_batch_1 ... data_batch_5, test_batch:
///    pickled dicts with b'data' = uint8 N x 3072, b'labels' = list of ints), as PyTorch users have it;
/// 3. either official archive in `root`, checked against its MD5 and extracted;
/// 4. with `download: true`, the archive fetched from `baseURL`.
/// Images come out channels-last: `[N, 32, 32, 3]` uint8.
public enum CIFAR10 {
    /// The class names in label order.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]
    /// Where the official archives live.
    public static let officialBaseURL = "https://www.cs.toronto.edu/~kriz/"
    /// Bytes of pixel data per image (3 x 32 x 32).
    public static let imageBytes = 3072

    /// One official distribution: the archive's name, its MD5 and the folder it unpacks to.
    public struct Archive: Sendable, Equatable {
        public enum Format: Sendable { case binary, python }
        public let format: Format
        public let fileName: String
        public let md5: String
        /// Top-level folder inside the archive.
        public var folderName: String { format == .binary ? "cifar-10-batches-bin" : "cifar-10-batches-py" }

        public init(format: Format, fileName: String? = nil, md5: String) {
            self.format = format
            self.fileName = fileName ?? (format == .binary ? "cifar-10-binary.tar.gz" : "cifar-10-python.tar.gz")
            self.md5 = md5
        }

        /// cifar-10-binary.tar.gz, 162 MB.
        public static let binary = Archive(format: .binary, md5: "c32a1d4ab5d03f1284b67883e8d87530")
        /// cifar-10-python.tar.gz, 163 MB.
        public static let python = Archive(format: .python, md5: "c58f30108f718f92721af3b95e74349a")

        /// The batch files of `split`, in order, inside `folderName`.
        public func batchFiles(_ split: DataSplit) -> [String] {
            let names = split == .train ? (1 ... 5).map { "data_batch_\($0)" } : ["test_batch"]
            return format == .binary ? names.map { $0 + ".bin" } : names
        }
    }

    /// Loads `split` from `root`, extracting or downloading the archive if needed.
    ///
    /// - Parameters:
    ///   - archives: the distributions to look for, the first one being the one to download.
    ///   - baseURL: where to download from (tests point it at a loopback server).
    ///   - progress: called with download, verify and extract progress, on the calling thread; during the
    ///     download at most once per MiB.
    public static func load(root: String = "./data", split: DataSplit, download: Bool = true,
                            archives: [Archive] = [.binary, .python], baseURL: String = officialBaseURL,
                            progress: ((DataProgress) -> Void)? = nil,
                            interrupted: @escaping () -> Bool = { false }) throws -> LabDataset {
        let fm = FileManager.default
        let root = absolutePath(root)
        // Unpacked folders first.
        for archive in archives where fm.fileExists(atPath: root + "/" + archive.folderName) {
            return try read(folder: root + "/" + archive.folderName, archive: archive, split: split)
        }
        // Then archives already on disk (copied by hand onto a machine without network).
        for archive in archives where fm.fileExists(atPath: root + "/" + archive.fileName) {
            try ArchiveInstaller.install(archive, root: root, baseURL: baseURL, progress: progress, interrupted: interrupted)
            return try read(folder: root + "/" + archive.folderName, archive: archive, split: split)
        }
        guard let first = archives.first else {
            throw DatasetError.missingFile(path: root, hint: "no CIFAR-10 distribution was asked for")
        }
        if download {
            try ArchiveInstaller.install(first, root: root, baseURL: baseURL, progress: progress, interrupted: interrupted)
            return try read(folder: root + "/" + first.folderName, archive: first, split: split)
        }
        throw DatasetError.missingFile(
            path: root + "/" + first.folderName,
            hint: "download \(baseURL + first.fileName) (MD5 \(first.md5)) and put it in \(root)/, "
                + "or put an unpacked cifar-10-batches-bin/ or cifar-10-batches-py/ folder there")
    }

    /// Reads `split` from an unpacked folder of the given distribution.
    public static func read(folder: String, archive: Archive, split: DataSplit) throws -> LabDataset {
        var images: [UInt8] = []
        var labels: [Int32] = []
        for file in archive.batchFiles(split) {
            let path = folder + "/" + file
            guard FileManager.default.fileExists(atPath: path) else {
                throw DatasetError.missingFile(
                    path: path, hint: "the \(archive.folderName) folder is incomplete; "
                        + "delete it and extract \(archive.fileName) again")
            }
            switch archive.format {
            case .binary: try readBinaryBatch(path: path, images: &images, labels: &labels)
            case .python: try readPickleBatch(path: path, images: &images, labels: &labels)
            }
        }
        return LabDataset(name: "CIFAR-10 \(split.rawValue)", classNames: classNames, channels: 3,
                          height: 32, width: 32, images: images, labels: labels)
    }

    /// Appends the records of one binary batch file (1 label byte + 3,072 bytes R, G, B planes each).
    public static func readBinaryBatch(path: String, images: inout [UInt8], labels: inout [Int32]) throws {
        let bytes = try readWholeFile(path)
        let record = 1 + imageBytes
        guard !bytes.isEmpty else { throw DatasetError.truncated(path: path, detail: "empty file") }
        guard bytes.count % record == 0 else {
            throw DatasetError.truncated(path: path, detail: "\(bytes.count) bytes is not a whole number of "
                + "\(record)-byte records (the last one has \(bytes.count % record) bytes)")
        }
        let n = bytes.count / record
        let base = images.count
        images.append(contentsOf: repeatElement(0, count: n * imageBytes))
        try bytes.withUnsafeBufferPointer { src in
            try images.withUnsafeMutableBufferPointer { dst in
                for i in 0 ..< n {
                    let r = src.baseAddress! + i * record
                    guard r[0] < 10 else {
                        throw DatasetError.labelOutOfRange(path: path, index: i, label: Int(r[0]), classes: 10)
                    }
                    labels.append(Int32(r[0]))
                    planarToInterleaved(r + 1, dst.baseAddress! + base + i * imageBytes,
                                        images: 1, channels: 3, pixels: 1024)
                }
            }
        }
    }

    /// Appends the images and labels of one pickled Python batch (`{b'data': uint8 [N, 3072], b'labels': [N]}`).
    public static func readPickleBatch(path: String, images: inout [UInt8], labels: inout [Int32]) throws {
        let bytes = try readWholeFile(path)
        try bytes.withUnsafeBufferPointer { buf in
            var unpickler = StrictUnpickler(bytes: buf, path: path)
            let root = try unpickler.run()
            func fail(_ d: String) -> DatasetError { .unexpectedPickle(path: path, detail: d) }
            guard case let .dict(dict) = root else { throw fail("the top-level object is not a dict") }
            var data: NDArrayBox?
            var labelList: PickleList?
            for (key, value) in dict.items {
                let name: String
                switch key {
                case let .bytes(r): name = String(decoding: buf[r], as: UTF8.self)
                case let .text(s): name = s
                default: throw fail("a dict key is not a string")
                }
                if name == "data" {
                    guard case let .ndarray(a) = value else { throw fail("'data' is not a numpy array") }
                    data = a
                } else if name == "labels" {
                    guard case let .list(l) = value else { throw fail("'labels' is not a list") }
                    labelList = l
                }
            }
            guard let data, let raw = data.data else { throw fail("no 'data' array") }
            guard let labelList else { throw fail("no 'labels' list") }
            guard data.shape.count == 2, data.shape[1] == imageBytes else {
                throw DatasetError.badSize(path: path, detail: "'data' has shape \(data.shape), expected [N, 3072]")
            }
            let n = data.shape[0]
            guard labelList.items.count == n else {
                throw DatasetError.badSize(path: path, detail: "\(labelList.items.count) labels for \(n) images")
            }
            for (i, item) in labelList.items.enumerated() {
                guard case let .int(l) = item else { throw fail("label \(i) is not an integer") }
                guard (0 ..< 10).contains(l) else {
                    throw DatasetError.labelOutOfRange(path: path, index: i, label: l, classes: 10)
                }
                labels.append(Int32(l))
            }
            let base = images.count
            images.append(contentsOf: repeatElement(0, count: n * imageBytes))
            images.withUnsafeMutableBufferPointer { dst in
                planarToInterleaved(buf.baseAddress! + raw.lowerBound, dst.baseAddress! + base,
                                    images: n, channels: 3, pixels: 1024)
            }
        }
    }
}

/// Progress of a download, a checksum or an extraction, for a progress display.
public struct DataProgress: Sendable {
    public enum Phase: String, Sendable { case download, verify, extract }
    public let phase: Phase
    /// The archive or the entry being written.
    public let file: String
    /// Bytes done so far and the total if known.
    public let done: Int64, total: Int64?
}

/// `path` made absolute against the current directory, for messages that say exactly where.
func absolutePath(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (full as NSString).standardizingPath
}

/// Reads a whole file into memory, with a missing-file error that names it.
func readWholeFile(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else {
        throw DatasetError.missingFile(path: path, hint: "cannot open it for reading")
    }
    defer { fclose(f) }
    fseek(f, 0, SEEK_END)
    let size = ftell(f)
    fseek(f, 0, SEEK_SET)
    guard size >= 0 else { throw DatasetError.io(path: path, detail: "cannot determine the file size") }
    if size == 0 { return [] }
    var bytes = [UInt8](repeating: 0, count: size)
    let got = bytes.withUnsafeMutableBufferPointer { fread($0.baseAddress!, 1, size, f) }
    guard got == size else { throw DatasetError.truncated(path: path, detail: "read \(got) of \(size) bytes") }
    return bytes
}
