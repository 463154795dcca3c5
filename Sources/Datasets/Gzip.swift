import CZlib
import Foundation

/// A streaming gzip decompressor over a file, built on zlib's inflate.
///
/// Reads the file in 1 MiB chunks and hands out decompressed bytes on demand, so
/// a 170 MB archive never has to sit in memory whole. Concatenated gzip members
/// are accepted (RFC 1952 allows them); anything else after the last member,
/// a bad header, a CRC or length mismatch, or an early end of file is an error
/// naming the file.
public final class GzipReader {
    /// The file being read, for error messages.
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 20
    private var fileEOF = false
    private var finished = false
    private var inMember = true
    /// Compressed bytes consumed so far (for progress).
    public private(set) var compressedBytesRead: Int64 = 0

    /// Opens `path` for decompression.
    public init(path: String) throws {
        self.path = path
        guard let f = fopen(path, "rb") else {
            throw DatasetError.missingFile(path: path, hint: "cannot open it for reading")
        }
        file = f
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: inputCapacity)
        // 15 window bits + 16: expect a gzip header and trailer, nothing else.
        let rc = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            fclose(f); input.deallocate(); stream.deallocate()
            throw DatasetError.corruptGzip(path: path, detail: "zlib initialization failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        fclose(file)
    }

    private func refill() {
        guard !fileEOF else { return }
        let n = fread(input, 1, inputCapacity, file)
        if n < inputCapacity { fileEOF = true }
        compressedBytesRead += Int64(n)
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(n)
    }

    /// Decompresses up to `count` bytes into `buffer`; returns how many, 0 only at the end of the data.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if finished || count == 0 { return 0 }
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = UInt32(min(count, Int(UInt32.max)))
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 {
                refill()
                if stream.pointee.avail_in == 0 {
                    if inMember {
                        throw DatasetError.truncated(path: path, detail: "gzip stream ends before its trailer")
                    }
                    finished = true
                    break
                }
            }
            if !inMember {
                // Another member follows the previous one.
                inflateReset(stream)
                inMember = true
            }
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                inMember = false
                if stream.pointee.avail_in == 0 { refill() }
                if stream.pointee.avail_in == 0 { finished = true }
                if finished { break }
                // The next bytes must be another gzip member.
                if stream.pointee.avail_in >= 2, stream.pointee.next_in[0] != 0x1F || stream.pointee.next_in[1] != 0x8B {
                    throw DatasetError.corruptGzip(path: path, detail: "unexpected data after the end of the gzip stream")
                }
                continue
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw DatasetError.corruptGzip(path: path, detail: msg)
            }
            if finished { break }
        }
        return count - Int(stream.pointee.avail_out)
    }

    /// Reads exactly `count` bytes, or returns false if the data ended cleanly before the first byte.
    /// Ending part-way is a truncation error.
    public func readExactly(into buffer: UnsafeMutablePointer<UInt8>, count: Int, what: String) throws -> Bool {
        var done = 0
        while done < count {
            let n = try read(into: buffer + done, count: count - done)
            if n == 0 {
                if done == 0 { return false }
                throw DatasetError.truncated(path: path, detail: "\(what): \(done) of \(count) bytes")
            }
            done += n
        }
        return true
    }

    /// Decompresses the whole file at `path` into memory.
    public static func decompress(path: String) throws -> [UInt8] {
        let reader = try GzipReader(path: path)
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0.baseAddress!, count: $0.count) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0 ..< n])
        }
        return out
    }
}

/// Gzip compression of a byte buffer (for tests and tools that build archives).
public enum Gzip {
    /// Returns `bytes` compressed as a single gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var strm = z_stream()
        let rc = deflateInit2_(&strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
        defer { deflateEnd(&strm) }
        let bound = Int(deflateBound(&strm, UInt(bytes.count))) + 64
        var out = [UInt8](repeating: 0, count: bound)
        var src = bytes
        let produced: Int = src.withUnsafeMutableBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                strm.next_in = s.baseAddress
                strm.avail_in = UInt32(s.count)
                strm.next_out = d.baseAddress
                strm.avail_out = UInt32(d.count)
                let r = deflate(&strm, Z_FINISH)
                precondition(r == Z_STREAM_END, "deflate did not finish: \(r)")
                return d.count - Int(strm.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }
}
