import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class TransformTests: XCTestCase {
    /// A 6x5 image with 3 channels: byte = 10 * y + x + 100 * c (so every pixel is distinct).
    private let (h, w, ch) = (6, 5, 3)
    private func src(_ y: Int, _ x: Int, _ c: Int) -> UInt8 { UInt8(10 * y + x + 100 * c) }
    private var image: [UInt8] {
        var out = [UInt8]()
        for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< ch { out.append(src(y, x, c)) } } }
        return out
    }
    private func norm(_ v: UInt8) -> Float { (Float(v) / 255 - 0.5) / 0.5 }

    private func run(_ t: Transform, _ d: Transform.Draw) -> [Float] {
        var out = [Float](repeating: .nan, count: h * w * ch)
        let table = t.lookupTable(channels: ch)
        image.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                t.apply(s.baseAddress!, to: o.baseAddress!, height: h, width: w, channels: ch, draw: d, table: table)
            }
        }
        return out
    }

    private func at(_ out: [Float], _ y: Int, _ x: Int, _ c: Int) -> Float { out[(y * w + x) * ch + c] }

    func testNormalizationValues() {
        let t = Transform.test(channels: 3)
        let table = t.lookupTable(channels: 3)
        XCTAssertEqual(table[0], -1)
        XCTAssertEqual(table[255], 1, accuracy: 1e-6)
        XCTAssertEqual(table[256 + 128], 0.0039215, accuracy: 1e-6)
        XCTAssertEqual(table[512 + 51], -0.6, accuracy: 1e-6)
        let custom = Transform(padding: 0, flipProbability: 0, mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261])
        XCTAssertEqual(custom.lookupTable(channels: 3)[256 + 255], (1 - 0.4822) / 0.243, accuracy: 1e-5)
        // The inverse brings values back to [0, 1].
        XCTAssertEqual(t.denormalize(table[200], channel: 0), 200 / 255, accuracy: 1e-6)
        XCTAssertEqual(custom.denormalize(custom.lookupTable(channels: 3)[512 + 77], channel: 2), 77 / 255, accuracy: 1e-6)
        XCTAssertEqual(t.denormalize(3, channel: 1), 1)
    }

    func testTestTransformIsIdentityPlusNormalize() {
        let t = Transform.test(channels: 3)
        XCTAssertFalse(t.augments)
        let out = run(t, t.identityDraw)
        for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< ch { XCTAssertEqual(at(out, y, x, c), norm(src(y, x, c))) } } }
    }

    func testCropShiftsWithZeroPadding() {
        let t = Transform(padding: 2, flipProbability: 0, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        // Offsets (0, 0): the window starts 2 pixels above and left of the image.
        let out = run(t, .init(offsetY: 0, offsetX: 0, flip: false))
        XCTAssertEqual(at(out, 0, 0, 0), -1)                        // padding is black
        XCTAssertEqual(at(out, 1, 4, 2), -1)
        XCTAssertEqual(at(out, 2, 2, 0), norm(src(0, 0, 0)))
        XCTAssertEqual(at(out, 5, 4, 1), norm(src(3, 2, 1)))
        // Offsets (4, 3): window starts 2 below and 1 right; the last rows and column fall in padding.
        let o2 = run(t, .init(offsetY: 4, offsetX: 3, flip: false))
        XCTAssertEqual(at(o2, 0, 0, 0), norm(src(2, 1, 0)))
        XCTAssertEqual(at(o2, 3, 3, 2), norm(src(5, 4, 2)))
        XCTAssertEqual(at(o2, 3, 4, 2), -1)
        XCTAssertEqual(at(o2, 4, 0, 0), -1)
    }

    func testFlipMirrorsColumns() {
        let t = Transform(padding: 0, flipProbability: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        let out = run(t, .init(offsetY: 0, offsetX: 0, flip: true))
        for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< ch {
            XCTAssertEqual(at(out, y, x, c), norm(src(y, w - 1 - x, c)))
        } } }
    }

    func testCropThenFlipMatchesReference() {
        let t = Transform(padding: 2, flipProbability: 0.5, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        for dy in 0 ... 4 { for dx in 0 ... 4 { for flip in [false, true] {
            let out = run(t, .init(offsetY: dy, offsetX: dx, flip: flip))
            for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< ch {
                // Crop the padded image at (dy, dx), then mirror the crop.
                let cx = flip ? w - 1 - x : x
                let sy = y + dy - 2, sx = cx + dx - 2
                let inside = sy >= 0 && sy < h && sx >= 0 && sx < w
                XCTAssertEqual(at(out, y, x, c), inside ? norm(src(sy, sx, c)) : -1, "dy \(dy) dx \(dx) flip \(flip) y \(y) x \(x)")
            } } }
        } } }
        // Concretely: flipped, offsets (2, 2) = no shift: column 0 shows the last column.
        let out = run(t, .init(offsetY: 2, offsetX: 2, flip: true))
        XCTAssertEqual(at(out, 3, 0, 1), norm(src(3, 4, 1)))
    }

    func testDrawsCoverOffsetsAndFlipHalfTheTime() {
        let t = Transform.train(channels: 3)
        var rng = SeededRandom(seed: 11)
        var seen = Set<Int>(), flips = 0
        for _ in 0 ..< 10_000 {
            let d = t.draw(&rng)
            XCTAssertTrue((0 ... 8).contains(d.offsetY) && (0 ... 8).contains(d.offsetX))
            seen.insert(d.offsetY * 9 + d.offsetX)
            if d.flip { flips += 1 }
        }
        XCTAssertEqual(seen.count, 81)
        XCTAssertEqual(Double(flips) / 10_000, 0.5, accuracy: 0.03)
    }
}
