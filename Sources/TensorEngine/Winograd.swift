import Foundation

/// Winograd F(2x2, 3x3) convolution for 3x3, stride 1, padding 1 over NHWC activations.
///
/// x `[N, H, W, Ci]` -> y `[N, H, W, Co]` (overwritten, no bias). The output is
/// cut into 2x2 tiles; each tile's 4x4 input patch is transformed (B^T d B) into
/// V `[16, T, Ci]` (T tiles), weights into U `[16, Co, Ci]` (G g G^T), then 16
/// GEMMs give M `[16, T, Co]` = V x U^T and A^T M A scatters back to y. That is
/// 16 multiplies per tile per channel pair instead of 36. Samples go a few at a
/// time through one scratch buffer so V and M stay in cache.
public enum Winograd {
    /// Whether a convolution has the shape this path computes.
    public static func applies(kernel: Int, stride: Int, padding: Int) -> Bool {
        kernel == 3 && stride == 1 && padding == 1
    }

    /// U `[16, A, B]` from 3x3 kernels g(a, b) whose tap (ky, kx) sits at `w[a*sa + b*sb + ky*sy + kx*sx]`.
    ///
    /// Forward weights `[O, 3, 3, I]`: a = o, b = i. For dL/dx the same routine reads
    /// the kernels flipped and transposed (a = i, b = o), see `transformWeightsForInputGrad`.
    static func transform(_ w: UnsafePointer<Float>, a: Int, b: Int, sa: Int, sb: Int, sy: Int, sx: Int,
                          into u: UnsafeMutablePointer<Float>) {
        let plane = a * b
        Parallel.chunks(a, work: plane * 16) { r in
            for ia in r {
                for ib in 0..<b {
                    let p = w + ia * sa + ib * sb
                    let o = u + ia * b + ib
                    // Columns of Gg (4x3): rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2 of each kernel column.
                    var t = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                             Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
                    withUnsafeMutableBytes(of: &t) { raw in
                        let tp = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                        for kx in 0..<3 {
                            let g0 = p[kx * sx], g1 = p[sy + kx * sx], g2 = p[2 * sy + kx * sx]
                            tp[kx] = g0
                            tp[3 + kx] = 0.5 * (g0 + g1 + g2)
                            tp[6 + kx] = 0.5 * (g0 - g1 + g2)
                            tp[9 + kx] = g2
                        }
                        // Each row of Gg times G^T.
                        for r4 in 0..<4 {
                            let g0 = tp[r4 * 3], g1 = tp[r4 * 3 + 1], g2 = tp[r4 * 3 + 2]
                            o[(r4 * 4 + 0) * plane] = g0
                            o[(r4 * 4 + 1) * plane] = 0.5 * (g0 + g1 + g2)
                            o[(r4 * 4 + 2) * plane] = 0.5 * (g0 - g1 + g2)
                            o[(r4 * 4 + 3) * plane] = g2
                        }
                    }
                }
            }
        }
    }

    /// U `[16, O, I]` from forward weights `[O, 3, 3, I]`.
    public static func transformWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels i: Int,
                                        into u: UnsafeMutablePointer<Float>) {
        transform(w, a: o, b: i, sa: 9 * i, sb: 1, sy: 3 * i, sx: i, into: u)
    }

    /// U `[16, I, O]` for dL/dx = conv(dL/dy, W flipped 180 degrees with in/out swapped); w is `[O, 3, 3, I]`.
    public static func transformWeightsForInputGrad(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels i: Int,
                                                    into u: UnsafeMutablePointer<Float>) {
        transform(w + 8 * i, a: i, b: o, sa: 1, sb: 9 * i, sy: -3 * i, sx: -i, into: u)
    }

    /// Output tiles of `tile` x `tile` covering one `h` x `w` map (the last row and column may be partial).
    @inline(__always)
    static func tiles(height h: Int, width w: Int, tile: Int) -> Int { ((h + tile - 1) / tile) * ((w + tile - 1) / tile) }

    /// Samples per chunk when a chunk should hold about `budget` tiles: at least 1, at most the batch.
    static func samplesPerChunk(batch: Int, tilesPerSample: Int, budget: Int) -> Int {
        Swift.max(1, Swift.min(batch, budget / tilesPerSample))
    }

    /// Scratch floats `conv` needs for `chunk` samples of an `h` x `w` map (one chunk per worker).
    public static func scratchFloats(chunk: Int, height h: Int, width w: Int, inChannels ci: Int, outChannels co: Int) -> Int {
        16 * chunk * tiles(height: h, width: w, tile: 2) * (ci + co) * Swift.max(1, Parallel.workers)
    }

    /// Tiles per chunk (GEMM rows): V and M for one chunk are `16 * chunkTiles * (Ci + Co)` floats.
    nonisolated(unsafe) public static var chunkTiles = 128

    /// Samples per chunk: enough tiles for an efficient GEMM, few enough to stay in cache.
    public static func chunkSize(batch: Int, height h: Int, width w: Int) -> Int {
        samplesPerChunk(batch: batch, tilesPerSample: tiles(height: h, width: w, tile: 2), budget: chunkTiles)
    }

    /// y = conv3x3(x) with transformed weights u `[16, Co, Ci]`; `scratch` holds `scratchFloats(chunk:...)`.
    ///
    /// Chunks of samples go through `convolve` (whole chunks per worker when there are enough).
    public static func conv(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, inChannels ci: Int,
                            u: UnsafePointer<Float>, outChannels co: Int, into y: UnsafeMutablePointer<Float>,
                            scratch: UnsafeMutablePointer<Float>, chunk: Int) {
        convolve(planes: 16, tilesPerSample: tiles(height: h, width: w, tile: 2), batch: batch, chunk: chunk,
                 inChannels: ci, outChannels: co, u: u, scratch: scratch,
                 input: { n0, nb, v, serial in
                     inputTransform(x + n0 * h * w * ci, samples: nb, height: h, width: w, channels: ci, into: v, serial: serial)
                 },
                 output: { n0, nb, m, serial in
                     outputTransform(m, samples: nb, height: h, width: w, channels: co, into: y + n0 * h * w * co, serial: serial)
                 })
    }

    /// V `[16, T, C]` = B^T d B for every tile's zero-padded 4x4 patch of x `[n, h, w, C]`.
    static func inputTransform(_ x: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                               into v: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let tiles = n * Winograd.tiles(height: h, width: w, tile: 2), xs = tiles * c
        forEachInputPatch(x, samples: n, height: h, width: w, channels: c, tile: 2, serial: serial, work: tiles * c * 32) { t, src, rs in
            transformTile(src, rowStride: rs, channels: c, into: v + t * c, xiStride: xs)
        }
    }

    @inline(__always) static func ld(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func st(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// One tile: 16 channel vectors of V (stride `xs` apart) from the 4x4 patch at d (rows `rs` apart).
    @inline(__always)
    static func transformTile(_ d: UnsafePointer<Float>, rowStride rs: Int, channels c: Int,
                              into v: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        if c < 8 {
            for k in 0..<c { transformTileLanes(d + k, rowStride: rs, channelStride: c, into: v + k, xiStride: xs) }
            return
        }
        // Eight channels at a time; the last window ends at c (overlapping recomputes identical values).
        var k = 0
        while k < c {
            let k0 = Swift.min(k, c - 8)
            transformTile8(d + k0, rowStride: rs, channelStride: c, into: v + k0, xiStride: xs)
            k += 8
        }
    }

    @inline(__always)
    static func transformTile8(_ d: UnsafePointer<Float>, rowStride rs: Int, channelStride c: Int,
                               into v: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        let p0 = d, p1 = d + rs, p2 = d + 2 * rs, p3 = d + 3 * rs
        let c2 = 2 * c, c3 = 3 * c
        // Rows of B^T d: (d0 - d2), (d1 + d2), (d2 - d1), (d1 - d3), each over the 4 columns.
        let a0 = ld(p0) - ld(p2), a1 = ld(p0 + c) - ld(p2 + c), a2 = ld(p0 + c2) - ld(p2 + c2), a3 = ld(p0 + c3) - ld(p2 + c3)
        let b0 = ld(p1) + ld(p2), b1 = ld(p1 + c) + ld(p2 + c), b2 = ld(p1 + c2) + ld(p2 + c2), b3 = ld(p1 + c3) + ld(p2 + c3)
        let e0 = ld(p2) - ld(p1), e1 = ld(p2 + c) - ld(p1 + c), e2 = ld(p2 + c2) - ld(p1 + c2), e3 = ld(p2 + c3) - ld(p1 + c3)
        let f0 = ld(p1) - ld(p3), f1 = ld(p1 + c) - ld(p3 + c), f2 = ld(p1 + c2) - ld(p3 + c2), f3 = ld(p1 + c3) - ld(p3 + c3)
        // Columns times B: (x0 - x2), (x1 + x2), (x2 - x1), (x1 - x3).
        st(a0 - a2, v); st(a1 + a2, v + xs); st(a2 - a1, v + 2 * xs); st(a1 - a3, v + 3 * xs)
        st(b0 - b2, v + 4 * xs); st(b1 + b2, v + 5 * xs); st(b2 - b1, v + 6 * xs); st(b1 - b3, v + 7 * xs)
        st(e0 - e2, v + 8 * xs); st(e1 + e2, v + 9 * xs); st(e2 - e1, v + 10 * xs); st(e1 - e3, v + 11 * xs)
        st(f0 - f2, v + 12 * xs); st(f1 + f2, v + 13 * xs); st(f2 - f1, v + 14 * xs); st(f1 - f3, v + 15 * xs)
    }

    /// The scalar version of `transformTile8` for one channel (channels fewer than 8).
    @inline(__always)
    static func transformTileLanes(_ d: UnsafePointer<Float>, rowStride rs: Int, channelStride c: Int,
                                   into v: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        let r0 = d, r1 = d + rs, r2 = d + 2 * rs, r3 = d + 3 * rs
        let c2 = 2 * c, c3 = 3 * c
        let a0 = r0[0] - r2[0], a1 = r0[c] - r2[c], a2 = r0[c2] - r2[c2], a3 = r0[c3] - r2[c3]
        let b0 = r1[0] + r2[0], b1 = r1[c] + r2[c], b2 = r1[c2] + r2[c2], b3 = r1[c3] + r2[c3]
        let e0 = r2[0] - r1[0], e1 = r2[c] - r1[c], e2 = r2[c2] - r1[c2], e3 = r2[c3] - r1[c3]
        let f0 = r1[0] - r3[0], f1 = r1[c] - r3[c], f2 = r1[c2] - r3[c2], f3 = r1[c3] - r3[c3]
        v[0] = a0 - a2; v[xs] = a1 + a2; v[2 * xs] = a2 - a1; v[3 * xs] = a1 - a3
        v[4 * xs] = b0 - b2; v[5 * xs] = b1 + b2; v[6 * xs] = b2 - b1; v[7 * xs] = b1 - b3
        v[8 * xs] = e0 - e2; v[9 * xs] = e1 + e2; v[10 * xs] = e2 - e1; v[11 * xs] = e1 - e3
        v[12 * xs] = f0 - f2; v[13 * xs] = f1 + f2; v[14 * xs] = f2 - f1; v[15 * xs] = f1 - f3
    }

    /// y `[n, h, w, C]` = A^T m A per tile, m `[16, T, C]`; rows and columns past the map are dropped.
    static func outputTransform(_ m: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                                into y: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, tiles = n * th * tw, xs = tiles * c
        Parallel.chunks(tiles, work: serial ? 0 : tiles * c * 20) { r in
            for t in r {
                let s = t / (th * tw), ty = (t / tw) % th, tx = t % tw
                let oy = 2 * ty, ox = 2 * tx
                let p = m + t * c
                let out = y + ((s * h + oy) * w + ox) * c
                let hasRow1 = oy + 1 < h, hasCol1 = ox + 1 < w
                if c < 8 {
                    for k in 0..<c {
                        outputTile1(p + k, xiStride: xs, into: out + k, rowStride: w * c, channelStride: c,
                                    row1: hasRow1, col1: hasCol1)
                    }
                    continue
                }
                var k = 0
                while k < c {
                    let k0 = Swift.min(k, c - 8)
                    outputTile8(p + k0, xiStride: xs, into: out + k0, rowStride: w * c, channelStride: c,
                                row1: hasRow1, col1: hasCol1)
                    k += 8
                }
            }
        }
    }

    /// One tile's 2x2 outputs for eight channels: per row i of m, s_i0 = m_i0 + m_i1 + m_i2 and
    /// s_i1 = m_i1 - m_i2 - m_i3; then y_0j = s_0j + s_1j + s_2j, y_1j = s_1j - s_2j - s_3j.
    @inline(__always)
    static func outputTile8(_ p: UnsafePointer<Float>, xiStride xs: Int, into out: UnsafeMutablePointer<Float>,
                            rowStride wc: Int, channelStride c: Int, row1: Bool, col1: Bool) {
        let m1 = ld(p + xs), m2 = ld(p + 2 * xs)
        let q0 = ld(p) + m1 + m2, q1 = m1 - m2 - ld(p + 3 * xs)
        let n1 = ld(p + 5 * xs), n2 = ld(p + 6 * xs)
        let q2 = ld(p + 4 * xs) + n1 + n2, q3 = n1 - n2 - ld(p + 7 * xs)
        let o1 = ld(p + 9 * xs), o2 = ld(p + 10 * xs)
        let q4 = ld(p + 8 * xs) + o1 + o2, q5 = o1 - o2 - ld(p + 11 * xs)
        let r1 = ld(p + 13 * xs), r2 = ld(p + 14 * xs)
        let q6 = ld(p + 12 * xs) + r1 + r2, q7 = r1 - r2 - ld(p + 15 * xs)
        st(q0 + q2 + q4, out)
        if col1 { st(q1 + q3 + q5, out + c) }
        if row1 {
            st(q2 - q4 - q6, out + wc)
            if col1 { st(q3 - q5 - q7, out + wc + c) }
        }
    }

    /// The scalar version of `outputTile8` for one channel.
    @inline(__always)
    static func outputTile1(_ p: UnsafePointer<Float>, xiStride xs: Int, into out: UnsafeMutablePointer<Float>,
                            rowStride wc: Int, channelStride c: Int, row1: Bool, col1: Bool) {
        let m1 = p[xs], m2 = p[2 * xs]
        let q0 = p[0] + m1 + m2, q1 = m1 - m2 - p[3 * xs]
        let n1 = p[5 * xs], n2 = p[6 * xs]
        let q2 = p[4 * xs] + n1 + n2, q3 = n1 - n2 - p[7 * xs]
        let o1 = p[9 * xs], o2 = p[10 * xs]
        let q4 = p[8 * xs] + o1 + o2, q5 = o1 - o2 - p[11 * xs]
        let r1 = p[13 * xs], r2 = p[14 * xs]
        let q6 = p[12 * xs] + r1 + r2, q7 = r1 - r2 - p[15 * xs]
        out[0] = q0 + q2 + q4
        if col1 { out[c] = q1 + q3 + q5 }
        if row1 {
            out[wc] = q2 - q4 - q6
            if col1 { out[wc + c] = q3 - q5 - q7 }
        }
    }
}

/// A shared chunk index handed out to workers one at a time.
final class ChunkCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    /// The next index (0, 1, 2, ...).
    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
