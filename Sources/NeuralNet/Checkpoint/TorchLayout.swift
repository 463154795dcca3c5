import TensorEngine

/// Converts parameter data between the engine's layout and PyTorch's.
///
/// `.same` parameters are copied as they are. `.convOHWI` weights are
/// `[O, KH, KW, I]` in the engine and `[O, I, KH, KW]` in PyTorch:
/// torch[o][i][kh][kw] = engine[o][kh][kw][i].
public enum TorchLayout {
    /// `parameter`-shaped data at `engine` (engine layout) rearranged into PyTorch order.
    public static func toTorch(_ engine: UnsafePointer<Float>, layout: ParameterLayout, engineShape: [Int]) -> [Float] {
        let n = engineShape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { dst in
            guard let d = dst.baseAddress else { return }
            switch layout {
            case .same:
                d.update(from: engine, count: n)
            case .convOHWI:
                Layout.ohwiToOihw(engine, d, o: engineShape[0], kh: engineShape[1], kw: engineShape[2], i: engineShape[3])
            }
        }
        return out
    }

    /// PyTorch-ordered `torch` data written into `engine` in engine layout.
    public static func fromTorch(_ torch: UnsafePointer<Float>, layout: ParameterLayout, engineShape: [Int],
                                 into engine: UnsafeMutablePointer<Float>) {
        switch layout {
        case .same:
            engine.update(from: torch, count: engineShape.reduce(1, *))
        case .convOHWI:
            Layout.oihwToOhwi(torch, engine, o: engineShape[0], i: engineShape[3], kh: engineShape[1], kw: engineShape[2])
        }
    }
}
