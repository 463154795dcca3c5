import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Shared helpers for the PyTorch parity tests: fixture files, the error measure, layout changes.
///
/// The error measure is the relative L2 error over a whole tensor,
/// ‖ours − torch‖₂ / ‖torch‖₂, required to be ≤ 1e-4; an absolute floor of
/// 1e-7·√n on ‖ours − torch‖₂ keeps tensors whose reference is ~0 from failing
/// on rounding alone. A norm-based measure is used instead of an elementwise
/// one because float32 sums taken in a different order (BLAS blocking against
/// PyTorch's kernels) differ by rounding in elements that are near zero.
enum Parity {
    static let tolerance: Double = 1e-4

    /// URL of a committed fixture (Tests/NeuralNetTests/Fixtures/<name>).
    static func url(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil,
                                          subdirectory: "Fixtures") else {
            throw MissingFixture(name: name)
        }
        return url
    }

    /// A parsed fixture file.
    static func file(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOf: url(name))
    }

    /// ‖a − b‖₂ / ‖b‖₂ (0 when both are 0).
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) elements")
        var diff = 0.0, ref = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            diff += d * d
            ref += Double(b[i]) * Double(b[i])
        }
        if ref == 0 { return diff == 0 ? 0 : .infinity }
        return (diff / ref).squareRoot()
    }

    /// Asserts `ours` matches `torch` within the relative L2 tolerance (with the absolute floor).
    static func assertClose(_ ours: [Float], _ torch: [Float], _ what: String,
                            tolerance: Double = Parity.tolerance, file: StaticString = #filePath, line: UInt = #line) {
        guard ours.count == torch.count else {
            XCTFail("\(what): \(ours.count) elements, torch has \(torch.count)", file: file, line: line)
            return
        }
        var diff = 0.0, ref = 0.0
        for i in ours.indices {
            let d = Double(ours[i]) - Double(torch[i])
            diff += d * d
            ref += Double(torch[i]) * Double(torch[i])
        }
        if ProcessInfo.processInfo.environment["PARITY_VERBOSE"] != nil {
            print("parity \(what): relative L2 error \(relativeError(ours, torch))")
        }
        let ok = diff.squareRoot() <= tolerance * ref.squareRoot() + 1e-7 * Double(ours.count).squareRoot()
        XCTAssertTrue(ok, "\(what): relative L2 error \(relativeError(ours, torch)) > \(tolerance)", file: file, line: line)
    }

    /// NCHW data as NHWC.
    static func nchwToNHWC(_ x: [Float], _ n: Int, _ c: Int, _ h: Int, _ w: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for ch in 0..<c { for y in 0..<h { for xx in 0..<w {
            out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx]
        } } } }
        return out
    }

    /// NHWC data as NCHW.
    static func nhwcToNCHW(_ x: [Float], _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for ch in 0..<c { for y in 0..<h { for xx in 0..<w {
            out[((b * c + ch) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + ch]
        } } } }
        return out
    }

    /// Every float in a state dict, in PyTorch layout, concatenated in entry order (for bit-for-bit comparisons).
    static func snapshot(_ state: [StateEntry]) -> [UInt32] {
        var out: [UInt32] = []
        for e in state {
            switch e.value {
            case .parameter(let p):
                out += TorchLayout.toTorch(p.value.data, layout: p.layout, engineShape: p.value.shape).map(\.bitPattern)
            case .buffer(let t):
                out += t.toArray().map(\.bitPattern)
            case .counter(let c):
                out += [UInt32(truncatingIfNeeded: c.value), UInt32(truncatingIfNeeded: c.value >> 32)]
            }
        }
        return out
    }
}

/// A committed fixture is not in the test bundle (a failure, not a skip: they are part of the repository).
struct MissingFixture: Error, CustomStringConvertible {
    let name: String
    var description: String { "fixture \(name) is missing from the test bundle; restore it or run tools/make_fixtures.py" }
}

/// A parameter store built from named PyTorch shapes, all in `.same` layout (for optimizer tests).
struct FlatModel {
    let store = ParameterStore()
    let names: [String]
    var parameters: [Parameter] { store.parameters }

    init(names: [String], shapes: [[Int]]) {
        self.names = names
        for s in shapes { _ = store.reserve(shape: s) }
        store.seal()
    }

    /// Copies tensors `prefix + name` of `file` into the values (or the gradients).
    func set(from file: SafetensorsFile, prefix: String, gradients: Bool = false) throws {
        for (name, p) in zip(names, parameters) {
            let v = try file.floats(prefix + name)
            (gradients ? p.grad : p.value).data.update(from: v, count: v.count)
        }
    }
}
