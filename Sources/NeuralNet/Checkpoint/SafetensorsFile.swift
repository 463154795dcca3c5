import Foundation

/// One tensor as a safetensors header describes it.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    /// The tensor's key in the header (a state-dict name such as `layer1.0.conv1.weight`).
    public let name: String
    /// Element type.
    public let dtype: SafetensorsDType
    /// Dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// Byte range inside the data section, which starts right after the header.
    public let dataOffsets: Range<Int>

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A parsed and validated safetensors file, held in memory.
///
/// Layout: bytes 0..<8 are the header length N as a little-endian UInt64;
/// bytes 8..<8+N are a UTF-8 JSON object mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional
/// `"__metadata__"` object of string to string), padded with spaces; the
/// rest is the data section, each tensor's raw little-endian row-major
/// bytes at `[begin, end)` relative to its start. Parsing is strict: every
/// tensor's byte count must equal its shape times its dtype size, and the
/// ranges, sorted, must tile the data section exactly (no gap, no overlap,
/// nothing past the end, nothing left over).
public struct SafetensorsFile {
    /// Where the bytes came from (used in error messages).
    public let path: String
    /// The tensors by name.
    public let tensors: [String: SafetensorsTensorInfo]
    /// Tensor names in data-section order.
    public let names: [String]
    /// The header's `__metadata__` (empty when absent).
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int

    /// The largest header accepted, as in the reference implementation.
    public static let maxHeaderBytes: UInt64 = 100_000_000

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(path: url.path, reason: Self.reason(error))
        }
        try self.init(bytes: data, path: url.path)
    }

    /// Validates `bytes` as a safetensors file; `path` only names it in errors.
    public init(bytes: Data, path: String = "<memory>") throws {
        let bytes = Data(bytes) // rebase so indices start at 0
        self.path = path
        self.bytes = bytes
        guard bytes.count >= 8 else {
            throw CheckpointError.truncated(path: path, detail: "\(bytes.count) bytes, fewer than the 8-byte header length")
        }
        let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= Self.maxHeaderBytes, headerLength <= UInt64(bytes.count - 8) else {
            throw CheckpointError.headerTooLarge(path: path, headerBytes: headerLength, fileBytes: bytes.count)
        }
        dataStart = 8 + Int(headerLength)
        let header = bytes.subdata(in: 8..<dataStart)
        guard header.first == UInt8(ascii: "{") else {
            throw CheckpointError.badHeader(path: path, detail: "the JSON header does not start with '{'")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: header, options: []) } catch {
            throw CheckpointError.badHeader(path: path, detail: "the header is not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw CheckpointError.badHeader(path: path, detail: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensorInfo] = [:]
        for (name, value) in root {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else {
                    throw CheckpointError.badHeader(path: path, detail: "__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard let s = v as? String else {
                        throw CheckpointError.badHeader(path: path, detail: "__metadata__ value for '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            tensors[name] = try Self.parseEntry(name: name, value: value, path: path)
        }
        let dataBytes = bytes.count - dataStart
        let ordered = tensors.values.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var expectedBegin = 0
        for t in ordered {
            if t.dataOffsets.upperBound > dataBytes {
                throw CheckpointError.truncated(path: path, detail:
                    "tensor '\(t.name)' ends at data byte \(t.dataOffsets.upperBound) but the data section has \(dataBytes) bytes")
            }
            if t.dataOffsets.lowerBound != expectedBegin {
                let what = t.dataOffsets.lowerBound < expectedBegin ? "overlaps the previous tensor" : "leaves a gap before it"
                throw CheckpointError.badOffsets(path: path, name: t.name, detail:
                    "starts at \(t.dataOffsets.lowerBound), expected \(expectedBegin) (\(what))")
            }
            expectedBegin = t.dataOffsets.upperBound
        }
        if expectedBegin != dataBytes {
            throw CheckpointError.badOffsets(path: path, name: ordered.last?.name ?? "(none)", detail:
                "the tensors cover \(expectedBegin) data bytes but the data section has \(dataBytes) (trailing bytes)")
        }
        self.tensors = tensors
        self.names = ordered.map(\.name)
        self.metadata = metadata
    }

    /// Parses one `{"dtype", "shape", "data_offsets"}` entry and checks its byte count.
    private static func parseEntry(name: String, value: Any, path: String) throws -> SafetensorsTensorInfo {
        guard let entry = value as? [String: Any] else {
            throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' is not an object")
        }
        let extra = Set(entry.keys).subtracting(["dtype", "shape", "data_offsets"])
        if let key = extra.sorted().first {
            throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' has unknown field '\(key)'")
        }
        guard let dtypeName = entry["dtype"] as? String else {
            throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' has no string 'dtype'")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(path: path, name: name, dtype: dtypeName)
        }
        guard let shapeList = entry["shape"] as? [Any], let shape = integers(shapeList) else {
            throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' has no 'shape' list of non-negative integers")
        }
        guard let offsetList = entry["data_offsets"] as? [Any], let offsets = integers(offsetList), offsets.count == 2 else {
            throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' has no 'data_offsets' pair of non-negative integers")
        }
        guard offsets[0] <= offsets[1] else {
            throw CheckpointError.badOffsets(path: path, name: name, detail: "begin \(offsets[0]) is after end \(offsets[1])")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product < Int(1) << 48 else {
                throw CheckpointError.badHeader(path: path, detail: "entry '\(name)' has an impossibly large shape \(shape)")
            }
            count = product
        }
        let needed = count * dtype.byteSize
        guard offsets[1] - offsets[0] == needed else {
            throw CheckpointError.badOffsets(path: path, name: name, detail:
                "they span \(offsets[1] - offsets[0]) bytes but shape \(shape) of \(dtype.rawValue) needs \(needed)")
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
    }

    /// The values of a JSON list if all are integers in 0..<2^53, else nil.
    private static func integers(_ list: [Any]) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(list.count)
        for item in list {
            guard let n = item as? NSNumber, !(item is String) else { return nil }
            let d = n.doubleValue
            guard d >= 0, d < 9_007_199_254_740_992, d.rounded() == d else { return nil }
            out.append(Int(d))
        }
        return out
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    /// Calls `body` with the raw bytes of tensor `name`.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let info = tensors[name] else {
            throw CheckpointError.missingTensor(path: path, name: name, missingCount: 1)
        }
        return try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing:
                all[(dataStart + info.dataOffsets.lowerBound)..<(dataStart + info.dataOffsets.upperBound)]))
        }
    }

    /// Tensor `name` converted to Float (F32, F64, F16 or BF16), row-major in the file's shape.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensors[name] else {
            throw CheckpointError.missingTensor(path: path, name: name, missingCount: 1)
        }
        guard info.dtype.isFloat else {
            throw CheckpointError.dtypeMismatch(path: path, name: name, expected: "a float dtype", found: info.dtype.rawValue)
        }
        var out = [Float](repeating: 0, count: info.elementCount)
        try withRawBytes(name) { raw in
            out.withUnsafeMutableBufferPointer { dst in
                guard let src = raw.baseAddress, let d = dst.baseAddress else { return }
                LittleEndianDecode.floats(info.dtype, from: src, count: info.elementCount, into: d)
            }
        }
        return out
    }

    /// Tensor `name` as I64 values.
    public func int64s(_ name: String) throws -> [Int64] {
        guard let info = tensors[name] else {
            throw CheckpointError.missingTensor(path: path, name: name, missingCount: 1)
        }
        guard info.dtype == .I64 else {
            throw CheckpointError.dtypeMismatch(path: path, name: name, expected: "I64", found: info.dtype.rawValue)
        }
        return try withRawBytes(name) { raw in
            guard let src = raw.baseAddress else { return [] }
            return LittleEndianDecode.int64s(from: src, count: info.elementCount)
        }
    }
}
