import Foundation

/// A small, strict reader for tar archives (POSIX ustar, GNU and pax headers) that extracts into one folder.
///
/// Only regular files and directories are written. Anything that could reach
/// outside the target folder is refused: absolute paths, `..` components,
/// symbolic and hard links, devices. Every header's checksum is verified.
/// Layout: 512-byte blocks; a header block, then the file's data padded to a
/// whole block; the archive ends with two zero blocks.
public enum TarExtractor {
    /// The largest entry accepted (1 TiB); keeps size arithmetic far from overflow.
    static let maxEntryBytes: Int64 = 1 << 40

    /// Extracts every entry of the tar stream in `reader` (gzip-compressed) into `destination`.
    ///
    /// `destination` should be a fresh, empty folder: the caller moves the result into place.
    /// Returns the relative paths of the regular files written, in archive order.
    @discardableResult
    public static func extract(from reader: GzipReader, into destination: String,
                               onEntry: ((String, Int64) -> Void)? = nil) throws -> [String] {
        let archive = reader.path
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        defer { block.deallocate() }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var written: [String] = []
        var pendingName: String?   // from a pax 'x' or GNU 'L' entry, for the next header
        var pendingSize: Int64?

        while true {
            guard try reader.readExactly(into: block, count: 512, what: "tar header") else {
                throw DatasetError.truncated(path: archive, detail: "tar archive ends without its end-of-archive blocks")
            }
            if (0 ..< 512).allSatisfy({ block[$0] == 0 }) { break }  // end of archive
            let header = try TarHeader(block: block, archive: archive)
            var size = header.size
            if let s = pendingSize { size = s }
            guard (0 ... maxEntryBytes).contains(size) else {
                throw DatasetError.badTar(path: archive, detail: "entry size \(size) bytes is out of range")
            }
            let rawName = pendingName ?? header.name
            pendingName = nil; pendingSize = nil

            switch header.type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"):
                let payload = try readPayload(reader, size: size, archive: archive)
                if header.type == UInt8(ascii: "x") {
                    let records = try parsePax(payload, archive: archive)
                    pendingName = records["path"]
                    if let s = records["size"] { pendingSize = Int64(s) }
                    if records["linkpath"] != nil {
                        throw DatasetError.badTar(path: archive, detail: "links are not allowed (\(rawName))")
                    }
                } else if header.type == UInt8(ascii: "L") {
                    pendingName = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
                }
            case UInt8(ascii: "0"), 0, UInt8(ascii: "5"):
                let relative = try safeRelativePath(rawName, archive: archive)
                let target = destination + "/" + relative
                if header.type == UInt8(ascii: "5") {
                    try makeDirectory(target, archive: archive)
                    try skip(reader, size: size, chunk: chunk, archive: archive)
                    continue
                }
                let parent = (target as NSString).deletingLastPathComponent
                try makeDirectory(parent, archive: archive)
                onEntry?(relative, size)
                try copyOut(reader, size: size, to: target, chunk: chunk, chunkSize: chunkSize, archive: archive)
                written.append(relative)
            default:
                let kind = String(UnicodeScalar(header.type))
                throw DatasetError.badTar(path: archive,
                                          detail: "entry \(rawName) has type '\(kind)'; only files and folders are allowed")
            }
        }
        return written
    }

    /// Checks that an entry path stays inside the target folder; returns it without a leading "./".
    static func safeRelativePath(_ name: String, archive: String) throws -> String {
        if name.isEmpty { throw DatasetError.badTar(path: archive, detail: "entry with an empty name") }
        if name.hasPrefix("/") { throw DatasetError.badTar(path: archive, detail: "absolute path \(name)") }
        if name.contains("\\") || name.utf8.contains(0) {
            throw DatasetError.badTar(path: archive, detail: "unsafe characters in \(name)")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { throw DatasetError.badTar(path: archive, detail: "path \(name) escapes the target folder") }
        if parts.isEmpty { throw DatasetError.badTar(path: archive, detail: "entry \(name) names no file") }
        return parts.joined(separator: "/")
    }

    private static func makeDirectory(_ path: String, archive: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: path, detail: "cannot create folder while extracting \(archive)")
        }
    }

    private static func paddedSize(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    private static func readPayload(_ reader: GzipReader, size: Int64, archive: String) throws -> [UInt8] {
        guard size >= 0, size < 1 << 20 else {
            throw DatasetError.badTar(path: archive, detail: "extended header of \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(paddedSize(size)))
        if !bytes.isEmpty {
            let ok = try bytes.withUnsafeMutableBufferPointer {
                try reader.readExactly(into: $0.baseAddress!, count: $0.count, what: "tar extended header")
            }
            if !ok { throw DatasetError.truncated(path: archive, detail: "tar extended header missing") }
        }
        return Array(bytes.prefix(Int(size)))
    }

    private static func skip(_ reader: GzipReader, size: Int64, chunk: UnsafeMutablePointer<UInt8>,
                             archive: String) throws {
        var left = paddedSize(size)
        while left > 0 {
            let n = Int(min(left, 1 << 20))
            if try !reader.readExactly(into: chunk, count: n, what: "tar entry") {
                throw DatasetError.truncated(path: archive, detail: "tar entry data missing")
            }
            left -= Int64(n)
        }
    }

    private static func copyOut(_ reader: GzipReader, size: Int64, to target: String,
                                chunk: UnsafeMutablePointer<UInt8>, chunkSize: Int, archive: String) throws {
        guard let out = fopen(target, "wxb") else {
            throw DatasetError.io(path: target, detail: "cannot create file (duplicate entry in \(archive)?)")
        }
        defer { fclose(out) }
        var left = paddedSize(size)
        var dataLeft = size
        while left > 0 {
            let n = Int(min(left, Int64(chunkSize)))
            if try !reader.readExactly(into: chunk, count: n, what: "data of \(target)") {
                throw DatasetError.truncated(path: archive, detail: "data of \(target) missing")
            }
            let useful = Int(min(dataLeft, Int64(n)))
            if useful > 0, fwrite(chunk, 1, useful, out) != useful {
                throw DatasetError.io(path: target, detail: "write failed (disk full?)")
            }
            dataLeft -= Int64(useful)
            left -= Int64(n)
        }
    }

    /// Parses pax records: "<length> <key>=<value>\n", repeated.
    private static func parsePax(_ bytes: [UInt8], archive: String) throws -> [String: String] {
        var records: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            guard let space = bytes[i...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[i ..< space], as: UTF8.self)),
                  length > 0, i + length <= bytes.count, bytes[i + length - 1] == UInt8(ascii: "\n")
            else { throw DatasetError.badTar(path: archive, detail: "malformed pax header") }
            let record = bytes[(space + 1) ..< (i + length - 1)]
            if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                records[String(decoding: record[..<eq], as: UTF8.self)] =
                    String(decoding: record[(eq + 1)...], as: UTF8.self)
            }
            i += length
        }
        return records
    }
}

/// One parsed and checksum-verified 512-byte tar header.
struct TarHeader {
    let name: String
    let size: Int64
    let type: UInt8

    init(block: UnsafeMutablePointer<UInt8>, archive: String) throws {
        func field(_ offset: Int, _ length: Int) -> [UInt8] {
            let raw = Array(UnsafeBufferPointer(start: block + offset, count: length))
            return Array(raw.prefix { $0 != 0 })
        }
        func octal(_ offset: Int, _ length: Int, _ what: String) throws -> Int64 {
            if block[offset] & 0x80 != 0 {  // GNU base-256 for large values
                var v: Int64 = Int64(block[offset] & 0x7F)
                for k in 1 ..< length { v = v << 8 | Int64(block[offset + k]) }
                return v
            }
            let text = String(decoding: field(offset, length), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return 0 }
            guard let v = Int64(text, radix: 8), v >= 0 else {
                throw DatasetError.badTar(path: archive, detail: "bad \(what) field '\(text)' in a header")
            }
            return v
        }
        // Checksum: the byte sum of the header with the checksum field read as spaces.
        var sum: Int64 = 0
        for k in 0 ..< 512 { sum += (148 ..< 156).contains(k) ? 32 : Int64(block[k]) }
        let stored = try octal(148, 8, "checksum")
        guard stored == sum else {
            throw DatasetError.badTar(path: archive, detail: "header checksum \(stored) does not match \(sum); not a tar file or corrupt")
        }
        let magic = Array(UnsafeBufferPointer(start: block + 257, count: 6))
        let isUstar = magic == Array("ustar\0".utf8)
        var name = String(decoding: field(0, 100), as: UTF8.self)
        if isUstar {
            let prefix = String(decoding: field(345, 155), as: UTF8.self)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        self.name = name
        self.size = try octal(124, 12, "size")
        self.type = block[156]
    }
}
