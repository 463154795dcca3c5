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
                let (o, kh, kw, i) = (engineShape[0], engineShape[1], engineShape[2], engineShape[3])
                let hw = kh * kw
                for oo in 0..<o {
                    let src = engine + oo * hw * i
                    let dstO = d + oo * i * hw
                    for s in 0..<hw {
                        for ii in 0..<i { dstO[ii * hw + s] = src[s * i + ii] }
                    }
                }
            }
        }
        return out
    }

    /// PyTorch-ordered `torch` data written into `engine` in engine layout.
    public static func fromTorch(_ torch: UnsafePointer<Float>, layout: ParameterLayout, engineShape: [Int],
                                 into engine: UnsafeMutablePointer<Float>) {
        let n = engineShape.reduce(1, *)
        switch layout {
        case .same:
            engine.update(from: torch, count: n)
        case .convOHWI:
            let (o, kh, kw, i) = (engineShape[0], engineShape[1], engineShape[2], engineShape[3])
            let hw = kh * kw
            for oo in 0..<o {
                let dst = engine + oo * hw * i
                let srcO = torch + oo * i * hw
                for s in 0..<hw {
                    for ii in 0..<i { dst[s * i + ii] = srcO[ii * hw + s] }
                }
            }
        }
    }
}
