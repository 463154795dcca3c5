import CZlib
import Foundation

/// Reads the PNG subset our encoder writes: 8-bit RGB or RGBA, no interlace, any filters,
/// IDAT possibly split over several chunks. Checks every chunk's CRC.
public enum PNGDecoder {
    /// One chunk as stored in the file.
    public struct Chunk: Equatable, Sendable {
        public let type: String
        public let data: [UInt8]
        public let storedCRC: UInt32
        /// True when the stored CRC matches CRC-32 over type + data.
        public let crcValid: Bool
    }

    public enum DecodeError: Error, Equatable {
        case badSignature
        case truncated
        case badCRC(String)
        case unsupported(String)
        case inflateFailed(Int32)
    }

    /// The chunks of a PNG file, in order.
    public static func chunks(_ data: Data) throws -> [Chunk] {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0..<8]) == PNGEncoder.signature else { throw DecodeError.badSignature }
        var chunks = [Chunk]()
        var i = 8
        while i < bytes.count {
            guard i + 12 <= bytes.count else { throw DecodeError.truncated }
            let length = Int(readBigEndian(bytes, i))
            guard i + 12 + length <= bytes.count else { throw DecodeError.truncated }
            let typeBytes = Array(bytes[(i + 4)..<(i + 8)])
            let body = Array(bytes[(i + 8)..<(i + 8 + length)])
            let stored = readBigEndian(bytes, i + 8 + length)
            let type = String(decoding: typeBytes, as: UTF8.self)
            chunks.append(Chunk(type: type, data: body, storedCRC: stored,
                                crcValid: PNGEncoder.crc(typeBytes + body) == stored))
            i += 12 + length
            if type == "IEND" { break }
        }
        return chunks
    }

    /// The image stored in `data`.
    public static func decode(_ data: Data) throws -> RGBImage {
        let list = try chunks(data)
        for c in list where !c.crcValid { throw DecodeError.badCRC(c.type) }
        guard let ihdr = list.first, ihdr.type == "IHDR", ihdr.data.count == 13 else {
            throw DecodeError.unsupported("first chunk is not a 13-byte IHDR")
        }
        let width = Int(readBigEndian(ihdr.data, 0)), height = Int(readBigEndian(ihdr.data, 4))
        guard ihdr.data[8] == 8, ihdr.data[12] == 0 else { throw DecodeError.unsupported("bit depth or interlace") }
        let channels: Int
        switch ihdr.data[9] {
        case 2: channels = 3
        case 6: channels = 4
        default: throw DecodeError.unsupported("color type \(ihdr.data[9])")
        }
        let compressed = list.filter { $0.type == "IDAT" }.flatMap { $0.data }
        let rowBytes = width * channels
        let raw = try inflate(compressed, expectedSize: height * (rowBytes + 1))
        guard raw.count == height * (rowBytes + 1) else { throw DecodeError.truncated }
        var pixels = [UInt8](repeating: 0, count: height * rowBytes)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let src = y * (rowBytes + 1) + 1
            for i in 0..<rowBytes {
                let x = raw[src + i]
                let a: UInt8 = i >= channels ? pixels[y * rowBytes + i - channels] : 0
                let b: UInt8 = y > 0 ? pixels[(y - 1) * rowBytes + i] : 0
                let c: UInt8 = (y > 0 && i >= channels) ? pixels[(y - 1) * rowBytes + i - channels] : 0
                let v: UInt8
                switch filter {
                case 0: v = x
                case 1: v = x &+ a
                case 2: v = x &+ b
                case 3: v = x &+ UInt8((Int(a) + Int(b)) >> 1)
                case 4: v = x &+ PNGEncoder.paeth(a, b, c)
                default: throw DecodeError.unsupported("filter type \(filter)")
                }
                pixels[y * rowBytes + i] = v
            }
        }
        return RGBImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Inflates a zlib stream whose output size is known.
    public static func inflate(_ bytes: [UInt8], expectedSize: Int) throws -> [UInt8] {
        var destLen = uLong(expectedSize + 1)
        var dest = [UInt8](repeating: 0, count: expectedSize + 1)
        let status = bytes.withUnsafeBufferPointer { src in
            dest.withUnsafeMutableBufferPointer { dst in
                uncompress(dst.baseAddress!, &destLen, src.baseAddress!, uLong(bytes.count))
            }
        }
        guard status == Z_OK else { throw DecodeError.inflateFailed(status) }
        return Array(dest.prefix(Int(destLen)))
    }

    static func readBigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
