import CZlib
import Foundation

/// Writes `RGBImage`s as PNG files: signature, IHDR, one IDAT (zlib deflate), IEND.
///
/// Each scanline gets the PNG filter (None, Sub, Up, Average, Paeth) whose output has the
/// smallest sum of absolute signed bytes, the usual cheap heuristic; 8 bits per channel,
/// color type 2 (RGB) or 6 (RGBA), no interlace.
public enum PNGEncoder {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file for `image`.
    public static func encode(_ image: RGBImage, compressionLevel: Int32 = 6) -> Data {
        var out = Data(signature)
        var ihdr = [UInt8]()
        appendBigEndian(&ihdr, UInt32(image.width))
        appendBigEndian(&ihdr, UInt32(image.height))
        ihdr += [8, image.channels == 4 ? 6 : 2, 0, 0, 0]
        appendChunk(&out, type: "IHDR", ihdr)
        let raw = filteredScanlines(image)
        appendChunk(&out, type: "IDAT", deflate(raw, level: compressionLevel))
        appendChunk(&out, type: "IEND", [])
        return out
    }

    /// The filtered image stream before compression: per row, one filter-type byte then the row.
    // layout: height x (1 + width * channels) bytes
    static func filteredScanlines(_ image: RGBImage) -> [UInt8] {
        let bpp = image.channels
        let rowBytes = image.width * bpp
        var out = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        let zeroRow = [UInt8](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                candidate.withUnsafeMutableBufferPointer { cand in
                    zeroRow.withUnsafeBufferPointer { zero in
                        for y in 0..<image.height {
                            let row = src.baseAddress! + y * rowBytes
                            let prev = y == 0 ? zero.baseAddress! : src.baseAddress! + (y - 1) * rowBytes
                            let target = dst.baseAddress! + y * (rowBytes + 1)
                            var bestScore = Int.max
                            for filter in 0..<5 {
                                let score = applyFilter(filter, row: row, prev: prev, count: rowBytes,
                                                        bpp: bpp, into: cand.baseAddress!)
                                if score < bestScore {
                                    bestScore = score
                                    target[0] = UInt8(filter)
                                    (target + 1).update(from: cand.baseAddress!, count: rowBytes)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Filters one row with PNG filter `filter` into `out`; returns the sum of |signed byte|.
    private static func applyFilter(_ filter: Int, row: UnsafePointer<UInt8>, prev: UnsafePointer<UInt8>,
                                    count: Int, bpp: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var score = 0
        for i in 0..<count {
            let x = row[i]
            let a: UInt8 = i >= bpp ? row[i - bpp] : 0
            let b = prev[i]
            let c: UInt8 = i >= bpp ? prev[i - bpp] : 0
            let v: UInt8
            switch filter {
            case 0: v = x
            case 1: v = x &- a
            case 2: v = x &- b
            case 3: v = x &- UInt8((Int(a) + Int(b)) >> 1)
            default: v = x &- paeth(a, b, c)
            }
            out[i] = v
            score += Int(abs(Int(Int8(bitPattern: v))))
        }
        return score
    }

    /// The Paeth predictor of PNG: whichever of left, up, upper-left is nearest to a + b - c.
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// A zlib stream (RFC 1950) of `bytes`.
    static func deflate(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var destLen = compressBound(uLong(bytes.count))
        var dest = [UInt8](repeating: 0, count: Int(destLen))
        let status = bytes.withUnsafeBufferPointer { src in
            dest.withUnsafeMutableBufferPointer { dst in
                compress2(dst.baseAddress!, &destLen, src.baseAddress!, uLong(bytes.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(dest.prefix(Int(destLen)))
    }

    /// CRC-32 (zlib's) of the bytes.
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// Appends length, type, data and the CRC over type + data.
    private static func appendChunk(_ out: inout Data, type: String, _ data: [UInt8]) {
        var chunk = [UInt8]()
        appendBigEndian(&chunk, UInt32(data.count))
        let typeAndData = Array(type.utf8) + data
        chunk += typeAndData
        appendBigEndian(&chunk, crc(typeAndData))
        out.append(contentsOf: chunk)
    }

    static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}

extension RGBImage {
    /// This image as PNG bytes.
    public func pngData() -> Data { PNGEncoder.encode(self) }
}
