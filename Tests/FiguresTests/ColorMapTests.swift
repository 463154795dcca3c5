import XCTest
@testable import Figures

/// Viridis and grayscale values, and heat-map normalization.
final class ColorMapTests: XCTestCase {
    func assertNear(_ c: RGB, _ hex: UInt32, tolerance: Int = 2, file: StaticString = #filePath, line: UInt = #line) {
        let e = RGB(hex: hex)
        for (a, b) in [(c.r, e.r), (c.g, e.g), (c.b, e.b)] {
            XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), tolerance, "\(c.hexString) vs \(e.hexString)", file: file, line: line)
        }
    }

    func testViridisEndpointsAndMidpoint() {
        XCTAssertEqual(ColorMap.viridis.table.count, 256)
        XCTAssertEqual(ColorMap.viridis.color(0), RGB(hex: 0x440154))
        XCTAssertEqual(ColorMap.viridis.color(1), RGB(hex: 0xfde725))
        assertNear(ColorMap.viridis.color(0.5), 0x21918c)
        assertNear(ColorMap.viridis.color(0.25), 0x3b528b)
        assertNear(ColorMap.viridis.color(0.75), 0x5ec962)
        // Clamped outside [0, 1]; NaN maps to the low end.
        XCTAssertEqual(ColorMap.viridis.color(-3), RGB(hex: 0x440154))
        XCTAssertEqual(ColorMap.viridis.color(7), RGB(hex: 0xfde725))
        XCTAssertEqual(ColorMap.viridis.color(.nan), RGB(hex: 0x440154))
    }

    func testViridisLightnessRisesMonotonically() {
        let l = ColorMap.viridis.table.map { $0.luminance }
        for i in 1..<256 { XCTAssertGreaterThanOrEqual(l[i], l[i - 1] - 0.004, "entry \(i)") }
    }

    func testGrayscale() {
        XCTAssertEqual(ColorMap.grayscale.color(0), RGB(0, 0, 0))
        XCTAssertEqual(ColorMap.grayscale.color(1), RGB(255, 255, 255))
        XCTAssertEqual(ColorMap.grayscale.color(0.5), RGB(128, 128, 128))
    }

    func testHeatMapAutoAndGivenRange() {
        let plane: [Float] = [-2, 0, 2, 6]  // [2, 2]
        let auto = HeatMap.render(plane, width: 2, height: 2, colorMap: .grayscale)
        XCTAssertEqual(auto.pixel(0, 0), RGB(0, 0, 0))
        XCTAssertEqual(auto.pixel(1, 0), RGB(64, 64, 64))
        XCTAssertEqual(auto.pixel(0, 1), RGB(128, 128, 128))
        XCTAssertEqual(auto.pixel(1, 1), RGB(255, 255, 255))
        let fixed = HeatMap.render(plane, width: 2, height: 2, range: ValueRange(min: 0, max: 2))
        XCTAssertEqual(fixed.pixel(0, 0), RGB(hex: 0x440154))  // clamped below
        XCTAssertEqual(fixed.pixel(1, 0), RGB(hex: 0x440154))
        XCTAssertEqual(fixed.pixel(0, 1), RGB(hex: 0xfde725))
        XCTAssertEqual(fixed.pixel(1, 1), RGB(hex: 0xfde725))  // clamped above
        let flat = HeatMap.render([3, 3, 3, 3], width: 2, height: 2)
        XCTAssertEqual(flat.pixel(1, 1), RGB(hex: 0x440154))
    }
}
