import Foundation

/// Builds a safetensors file in memory and writes it atomically.
///
/// Tensors are laid out in the data section in the order they are added;
/// the JSON header lists them in the same order, then is padded with spaces
/// so the data section starts on an 8-byte boundary. Data is little-endian:
/// F32 for floats, I64 for counters.
public struct SafetensorsWriter {
    /// String-to-string metadata stored under `__metadata__`.
    public var metadata: [String: String]
    private var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], range: Range<Int>)] = []
    private var payload: [UInt8] = []

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Names added so far, in order.
    public var names: [String] { entries.map(\.name) }

    /// Appends an F32 tensor of `shape` from `count(shape)` floats at `values`.
    public mutating func addF32(_ name: String, shape: [Int], values: UnsafePointer<Float>) {
        let n = shape.reduce(1, *)
        let begin = payload.count
        if 1.littleEndian == 1 {
            payload.append(contentsOf: UnsafeRawBufferPointer(start: values, count: 4 * n))
        } else {
            for i in 0..<n {
                withUnsafeBytes(of: values[i].bitPattern.littleEndian) { payload.append(contentsOf: $0) }
            }
        }
        entries.append((name, .F32, shape, begin..<payload.count))
    }

    /// Appends an F32 tensor from an array (its count must match `shape`).
    public mutating func addF32(_ name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { addF32(name, shape: shape, values: base) }
            else { entries.append((name, .F32, shape, payload.count..<payload.count)) }
        }
    }

    /// Appends an I64 tensor (`[]` for a scalar such as `num_batches_tracked`).
    public mutating func addI64(_ name: String, shape: [Int], values: [Int64]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        let begin = payload.count
        for v in values { withUnsafeBytes(of: v.littleEndian) { payload.append(contentsOf: $0) } }
        entries.append((name, .I64, shape, begin..<payload.count))
    }

    /// The complete file: 8-byte header length, padded JSON header, data.
    public func serialized() -> Data {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(metadata[$0]!))" }.joined(separator: ",")
            json += "}"
            first = false
        }
        for e in entries {
            if !first { json += "," }
            first = false
            let shape = e.shape.map(String.init).joined(separator: ",")
            json += "\(Self.quote(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(e.range.lowerBound),\(e.range.upperBound)]}"
        }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out = Data(capacity: 8 + header.count + payload.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(contentsOf: payload)
        return out
    }

    /// Writes the file atomically: a temporary file in the same folder, fsync, then rename over `url`.
    public func write(to url: URL) throws {
        try Self.writeAtomically(serialized(), to: url)
    }

    /// Writes `data` to a temporary sibling of `url`, fsyncs it, renames it onto `url`, and fsyncs the folder.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".tmp-"
        removeStaleTemporaries(in: folder, prefix: prefix)
        let temp = folder + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw CheckpointError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                done += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temp)
            throw CheckpointError.writeFailed(path: path, reason: failure)
        }
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    /// Deletes temporaries `prefix + "PID-RANDOM"` left in `folder` by a save whose process died
    /// mid-write (SIGKILL, power loss): those whose PID no longer runs. A live writer's file is left alone.
    static func removeStaleTemporaries(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0,
                  UInt32(rest[rest.index(after: dash)...]) != nil else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }

    /// A JSON string literal for `s`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
