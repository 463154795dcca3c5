import CZlib
import Foundation
import XCTest
@testable import Figures

/// PNG structure, checked byte by byte, and exact pixel round trips.
final class PNGTests: XCTestCase {
    /// A 5x3 image with distinct colors per pixel.
    func pattern(channels: Int = 3) -> RGBImage {
        var px = [UInt8]()
        for y in 0..<3 {
            for x in 0..<5 {
                px += [UInt8(x * 50), UInt8(y * 100), UInt8((x * 37 + y * 91) % 256)]
                if channels == 4 { px.append(UInt8(255 - x * 10)) }
            }
        }
        return RGBImage(width: 5, height: 3, channels: channels, pixels: px)
    }

    func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    func testSignatureIHDRAndChunkOrder() throws {
        let bytes = [UInt8](pattern().pngData())
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: length 13, type, width 5, height 3, depth 8, color type 2, methods 0.
        XCTAssertEqual(be32(bytes, 8), 13)
        XCTAssertEqual(String(decoding: bytes[12..<16], as: UTF8.self), "IHDR")
        XCTAssertEqual(be32(bytes, 16), 5)
        XCTAssertEqual(be32(bytes, 20), 3)
        XCTAssertEqual(Array(bytes[24..<29]), [8, 2, 0, 0, 0])
        let chunks = try PNGDecoder.chunks(Data(bytes))
        XCTAssertEqual(chunks.map { $0.type }, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(chunks.last?.data, [])
        // The IEND CRC is a fixed, well-known value.
        XCTAssertEqual(chunks.last?.storedCRC, 0xAE42_6082)
        XCTAssertEqual(Array(bytes.suffix(4)), [0xAE, 0x42, 0x60, 0x82])
    }

    func testEveryCRCIsValidAndComputedIndependently() throws {
        let data = pattern().pngData()
        for chunk in try PNGDecoder.chunks(data) {
            XCTAssertTrue(chunk.crcValid, chunk.type)
            let typeAndData = Array(chunk.type.utf8) + chunk.data
            let independent = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            XCTAssertEqual(independent, chunk.storedCRC)
        }
        // A flipped byte inside IDAT is caught.
        var broken = [UInt8](data)
        broken[45] ^= 0xFF
        XCTAssertThrowsError(try PNGDecoder.decode(Data(broken)))
    }

    func testInflatedIDATHasOneFilterBytePerRowAndRoundTrips() throws {
        let image = pattern()
        let chunks = try PNGDecoder.chunks(image.pngData())
        let idat = chunks.first { $0.type == "IDAT" }!.data
        XCTAssertEqual(idat[0] & 0x0F, 8, "zlib stream, deflate method")
        let raw = try PNGDecoder.inflate(idat, expectedSize: 3 * (1 + 15))
        XCTAssertEqual(raw.count, 3 * 16)
        for y in 0..<3 { XCTAssertLessThanOrEqual(raw[y * 16], 4, "filter type of row \(y)") }
        XCTAssertEqual(try PNGDecoder.decode(image.pngData()), image)
    }

    func testRGBAUsesColorType6AndRoundTrips() throws {
        let image = pattern(channels: 4)
        let bytes = [UInt8](image.pngData())
        XCTAssertEqual(bytes[25], 6)
        XCTAssertEqual(try PNGDecoder.decode(Data(bytes)), image)
    }

    func testLargerNoisyAndSmoothImagesRoundTripExactly() throws {
        var image = RGBImage(width: 97, height: 61)
        var state: UInt32 = 12345
        for y in 0..<61 {
            for x in 0..<97 {
                state = state &* 1_103_515_245 &+ 12345
                let noise = UInt8(truncatingIfNeeded: state >> 16)
                image.setPixel(x, y, y < 30 ? RGB(UInt8(x), UInt8(y * 4), UInt8(x + y)) : RGB(noise, noise &+ 7, UInt8(x)))
            }
        }
        let png = image.pngData()
        XCTAssertEqual(try PNGDecoder.decode(png), image)
        // Smooth rows compress well: the whole file is far smaller than the raw pixels.
        XCTAssertLessThan(png.count, 97 * 61 * 3)
        let filters = Set(stride(from: 0, to: 61, by: 1).map { PNGEncoder.filteredScanlines(image)[$0 * (97 * 3 + 1)] })
        XCTAssertTrue(filters.count > 1, "per-row filter choice uses more than one filter: \(filters)")
    }
}
