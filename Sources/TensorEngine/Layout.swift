/// Conversions between the engine's layouts (NHWC activations, OHWI conv weights) and PyTorch's
/// (NCHW, OIHW), used wherever data leaves or enters the engine.
public enum Layout {
    /// dst `[N, C, H, W]` from src `[N, H, W, C]`.
    public static func nhwcToNchw(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, h: Int, w: Int, c: Int) {
        let hw = h * w
        for b in 0..<n {
            let s = src + b * hw * c, d = dst + b * hw * c
            for p in 0..<hw {
                for ch in 0..<c { d[ch * hw + p] = s[p * c + ch] }
            }
        }
    }

    /// dst `[N, H, W, C]` from src `[N, C, H, W]`.
    public static func nchwToNhwc(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, c: Int, h: Int, w: Int) {
        let hw = h * w
        for b in 0..<n {
            let s = src + b * hw * c, d = dst + b * hw * c
            for ch in 0..<c {
                for p in 0..<hw { d[p * c + ch] = s[ch * hw + p] }
            }
        }
    }

    /// dst `[O, I, KH, KW]` from src `[O, KH, KW, I]` (same loop as NHWC -> NCHW with N = O).
    public static func ohwiToOihw(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, o: Int, kh: Int, kw: Int, i: Int) {
        nhwcToNchw(src, dst, n: o, h: kh, w: kw, c: i)
    }

    /// dst `[O, KH, KW, I]` from src `[O, I, KH, KW]`.
    public static func oihwToOhwi(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, o: Int, i: Int, kh: Int, kw: Int) {
        nchwToNhwc(src, dst, n: o, c: i, h: kh, w: kw)
    }
}

extension Tensor {
    /// A new tensor `[N, C, H, W]` from this NHWC `[N, H, W, C]` tensor.
    public func nhwcToNCHW() -> Tensor {
        precondition(shape.count == 4, "nhwcToNCHW needs a 4-D tensor, got \(shape)")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let t = Tensor(shape: [n, c, h, w])
        Layout.nhwcToNchw(data, t.data, n: n, h: h, w: w, c: c)
        return t
    }

    /// A new tensor `[N, H, W, C]` from this NCHW `[N, C, H, W]` tensor.
    public func nchwToNHWC() -> Tensor {
        precondition(shape.count == 4, "nchwToNHWC needs a 4-D tensor, got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let t = Tensor(shape: [n, h, w, c])
        Layout.nchwToNhwc(data, t.data, n: n, c: c, h: h, w: w)
        return t
    }

    /// The parameter's values in PyTorch layout (OIHW for conv weights), as a new tensor.
    public static func torchLayout(of p: Parameter, gradient: Bool = false) -> Tensor {
        let src = gradient ? p.grad : p.value
        switch p.layout {
        case .same: return src.copy()
        case .convOHWI:
            let s = src.shape
            let t = Tensor(shape: [s[0], s[3], s[1], s[2]])
            Layout.ohwiToOihw(src.data, t.data, o: s[0], kh: s[1], kw: s[2], i: s[3])
            return t
        }
    }
}
