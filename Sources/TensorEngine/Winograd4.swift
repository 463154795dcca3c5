import Foundation

/// Winograd F(4x4, 3x3) convolution for 3x3, stride 1, padding 1 over NHWC activations, at least 8 channels.
///
/// x `[N, H, W, Ci]` -> y `[N, H, W, Co]` (overwritten, no bias). The output is
/// cut into 4x4 tiles; each tile's 6x6 input patch becomes V `[36, T, Ci]`
/// (B^T d B), the weights U `[36, Co, Ci]` (G g G^T), 36 GEMMs give
/// M `[36, T, Co]` = V x U^T and A^T M A writes the 16 outputs. That is 36
/// multiplies per 16 outputs per channel pair where F(2x2, 3x3) needs 64 and a
/// direct convolution 144. Interpolation points 0, 1, -1, 2, -2 and infinity
/// (Lavin and Gray); float32 results stay within about 1e-5 of the direct sum
/// for unit-scale inputs. Used for the forward pass and dL/dx, and for dL/dW
/// (Winograd4+WeightGrad).
public enum Winograd4 {
    /// U `[36, O, I]` from forward weights w `[O, 3, 3, I]`: U[xi] = (G g G^T)[xi] per channel pair.
    ///
    /// Eight input channels at a time (they are contiguous in w and in U).
    public static func transformWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels i: Int,
                                        into u: UnsafeMutablePointer<Float>) {
        precondition(i >= 8, "Winograd4 weight transform needs at least 8 input channels")
        let plane = o * i
        Parallel.chunks(o, work: plane * 36) { r in
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 18) { tb in
                let t = tb.baseAddress!
                for oo in r {
                    var k = 0
                    while k < i {
                        let k0 = Swift.min(k, i - 8)
                        let p = w + oo * 9 * i + k0
                        // Gg (6x3): G down each kernel column (taps (ky, kx) are 3i and i apart).
                        for kx in 0..<3 {
                            let g = gColumn(ld(p + kx * i), ld(p + (3 + kx) * i), ld(p + (6 + kx) * i))
                            t[kx] = g.0; t[3 + kx] = g.1; t[6 + kx] = g.2
                            t[9 + kx] = g.3; t[12 + kx] = g.4; t[15 + kx] = g.5
                        }
                        // (Gg) G^T: G along each row.
                        let out = u + oo * i + k0
                        for r6 in 0..<6 {
                            let g = gColumn(t[r6 * 3], t[r6 * 3 + 1], t[r6 * 3 + 2])
                            let q = out + r6 * 6 * plane
                            st(g.0, q); st(g.1, q + plane); st(g.2, q + 2 * plane)
                            st(g.3, q + 3 * plane); st(g.4, q + 4 * plane); st(g.5, q + 5 * plane)
                        }
                        k += 8
                    }
                }
            }
        }
    }

    /// G applied to (g0, g1, g2): rows (1/4, 0, 0), (-1/6, -1/6, -1/6), (-1/6, 1/6, -1/6),
    /// (1/24, 1/12, 1/6), (1/24, -1/12, 1/6), (0, 0, 1).
    @inline(__always)
    static func gColumn(_ g0: V8, _ g1: V8, _ g2: V8) -> (V8, V8, V8, V8, V8, V8) {
        let sixth = V8(repeating: 1.0 / 6), twelfth = V8(repeating: 1.0 / 12), quarter = V8(repeating: 0.25)
        let even = g0 + g2
        let e4 = quarter * g0 + g2                       // g0/4 + g2 (then / 6: g0/24 + g2/6)
        return (quarter * g0,
                -(even + g1) * sixth,
                -(even - g1) * sixth,
                e4 * sixth + g1 * twelfth,
                e4 * sixth - g1 * twelfth,
                g2)
    }

    /// U `[36, I, O]` for dL/dx (W flipped 180 degrees, in and out swapped); w is `[O, 3, 3, I]`.
    ///
    /// `flipped` is scratch for `9 * O * I` floats: the weights as `[I, 3, 3, O]` flipped, which
    /// the forward transform then turns into U.
    public static func transformWeightsForInputGrad(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels i: Int,
                                                    flipped: UnsafeMutablePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        Parallel.chunks(i, work: 9 * o * i) { r in
            for ii in r {
                for tap in 0..<9 {
                    let dst = flipped + (ii * 9 + tap) * o, src = w + (8 - tap) * i + ii
                    for oo in 0..<o { dst[oo] = src[oo * 9 * i] }
                }
            }
        }
        transformWeights(flipped, outChannels: i, inChannels: o, into: u)
    }

    /// Whether this path computes a convolution with `channels` inputs (eight-lane vectors need 8).
    public static func supports(inChannels: Int, outChannels: Int) -> Bool { inChannels >= 8 && outChannels >= 8 }

    /// Tiles per chunk (GEMM rows); V and M for one chunk are `36 * chunkTiles * (Ci + Co)` floats.
    nonisolated(unsafe) public static var chunkTiles = 64

    /// Samples per chunk: enough tiles for an efficient GEMM, few enough to stay in cache.
    public static func chunkSize(batch: Int, height h: Int, width w: Int) -> Int {
        Winograd.samplesPerChunk(batch: batch, tilesPerSample: Winograd.tiles(height: h, width: w, tile: 4), budget: chunkTiles)
    }

    /// Scratch floats `conv` needs for `chunk` samples (one chunk per worker).
    public static func scratchFloats(chunk: Int, height h: Int, width w: Int, inChannels ci: Int, outChannels co: Int) -> Int {
        36 * chunk * Winograd.tiles(height: h, width: w, tile: 4) * (ci + co) * Swift.max(1, Parallel.workers)
    }

    /// y = conv3x3(x) with transformed weights u `[36, Co, Ci]`; `scratch` holds `scratchFloats(chunk:...)`.
    ///
    /// Chunks of samples go through `Winograd.convolve` (whole chunks per worker when there are enough).
    public static func conv(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, inChannels ci: Int,
                            u: UnsafePointer<Float>, outChannels co: Int, into y: UnsafeMutablePointer<Float>,
                            scratch: UnsafeMutablePointer<Float>, chunk: Int) {
        precondition(supports(inChannels: ci, outChannels: co), "Winograd4 needs at least 8 channels each way")
        Winograd.convolve(planes: 36, tilesPerSample: Winograd.tiles(height: h, width: w, tile: 4), batch: batch, chunk: chunk,
                 inChannels: ci, outChannels: co, u: u, scratch: scratch,
                 input: { n0, nb, v, serial in
                     inputTransform(x + n0 * h * w * ci, samples: nb, height: h, width: w, channels: ci, into: v, serial: serial)
                 },
                 output: { n0, nb, m, serial in
                     outputTransform(m, samples: nb, height: h, width: w, channels: co, into: y + n0 * h * w * co, serial: serial)
                 })
    }

    /// V `[36, T, C]` = B^T d B for every tile's zero-padded 6x6 patch of x `[n, h, w, C]`.
    static func inputTransform(_ x: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                               into v: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let tiles = n * Winograd.tiles(height: h, width: w, tile: 4), xs = tiles * c
        Winograd.forEachInputPatch(x, samples: n, height: h, width: w, channels: c, tile: 4, serial: serial,
                                   work: tiles * c * 72) { t, src, rs in
            // Eight channels at a time; the last window ends at c (overlaps recompute equal values).
            var k = 0
            while k < c {
                let k0 = Swift.min(k, c - 8)
                inputTile8(src + k0, rowStride: rs, channelStride: c, into: v + t * c + k0, xiStride: xs)
                k += 8
            }
        }
    }

    typealias V8 = SIMD8<Float>

    /// B^T applied to six values: rows (4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
    /// (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1).
    @inline(__always)
    static func bt(_ d0: V8, _ d1: V8, _ d2: V8, _ d3: V8, _ d4: V8, _ d5: V8) -> (V8, V8, V8, V8, V8, V8) {
        let four = V8(repeating: 4), five = V8(repeating: 5), two = V8(repeating: 2)
        let a = d4 - four * d2, b = d3 - four * d1          // rows 1 and 2: a -+ b
        let e = d4 - d2, f = two * (d3 - d1)                // rows 3 and 4: e +- f
        return (four * d0 - five * d2 + d4, a + b, a - b, e + f, e - f, four * d1 - five * d3 + d5)
    }

    /// A^T applied to six values: rows (1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0),
    /// (0, 1, -1, 8, -8, 1).
    @inline(__always)
    static func at(_ m0: V8, _ m1: V8, _ m2: V8, _ m3: V8, _ m4: V8, _ m5: V8) -> (V8, V8, V8, V8) {
        let sp = m1 + m2, sm = m1 - m2, tp = m3 + m4, tm = m3 - m4
        return (m0 + sp + tp, sm + 2 * tm, sp + 4 * tp, sm + 8 * tm + m5)
    }

    @inline(__always) static func ld(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always) static func st(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// One tile, eight channels: 36 vectors of V (`xs` apart) from the 6x6 patch at d (rows `rs` apart).
    @inline(__always)
    static func inputTile8(_ d: UnsafePointer<Float>, rowStride rs: Int, channelStride c: Int,
                           into v: UnsafeMutablePointer<Float>, xiStride xs: Int) {
        // Columns first: t[i][j] = (B^T d)[i][j], kept in a small stack buffer.
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 36) { tb in
            let tp = tb.baseAddress!
            for j in 0..<6 {
                let p = d + j * c
                let r = bt(ld(p), ld(p + rs), ld(p + 2 * rs), ld(p + 3 * rs), ld(p + 4 * rs), ld(p + 5 * rs))
                tp[j] = r.0; tp[6 + j] = r.1; tp[12 + j] = r.2; tp[18 + j] = r.3; tp[24 + j] = r.4; tp[30 + j] = r.5
            }
            // Then rows: V[i][j] = (t B)[i][j].
            for i in 0..<6 {
                let q = tp + 6 * i
                let r = bt(q[0], q[1], q[2], q[3], q[4], q[5])
                let o = v + 6 * i * xs
                st(r.0, o); st(r.1, o + xs); st(r.2, o + 2 * xs); st(r.3, o + 3 * xs); st(r.4, o + 4 * xs); st(r.5, o + 5 * xs)
            }
        }
    }

    /// y `[n, h, w, C]` = A^T m A per tile, m `[36, T, C]`; rows and columns past the map are dropped.
    static func outputTransform(_ m: UnsafePointer<Float>, samples n: Int, height h: Int, width w: Int, channels c: Int,
                                into y: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let th = (h + 3) / 4, tw = (w + 3) / 4, tiles = n * th * tw, xs = tiles * c
        Parallel.chunks(tiles, work: serial ? 0 : tiles * c * 52) { r in
            for t in r {
                let s = t / (th * tw), ty = (t / tw) % th, tx = t % tw
                let oy = 4 * ty, ox = 4 * tx
                let rows = Swift.min(4, h - oy), cols = Swift.min(4, w - ox)
                let out = y + ((s * h + oy) * w + ox) * c
                var k = 0
                while k < c {
                    let k0 = Swift.min(k, c - 8)
                    outputTile8(m + t * c + k0, xiStride: xs, into: out + k0, rowStride: w * c, channelStride: c,
                                rows: rows, cols: cols)
                    k += 8
                }
            }
        }
    }

    /// One tile's outputs for eight channels: A^T down each column of m, then along each row.
    @inline(__always)
    static func outputTile8(_ p: UnsafePointer<Float>, xiStride xs: Int, into out: UnsafeMutablePointer<Float>,
                            rowStride wc: Int, channelStride c: Int, rows: Int, cols: Int) {
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 24) { sb in
            let sp = sb.baseAddress!
            for j in 0..<6 {
                let q = p + j * xs
                let r = at(ld(q), ld(q + 6 * xs), ld(q + 12 * xs), ld(q + 18 * xs), ld(q + 24 * xs), ld(q + 30 * xs))
                sp[j] = r.0; sp[6 + j] = r.1; sp[12 + j] = r.2; sp[18 + j] = r.3
            }
            for i in 0..<rows {
                let q = sp + 6 * i
                let r = at(q[0], q[1], q[2], q[3], q[4], q[5])
                let o = out + i * wc
                if cols == 4 {
                    st(r.0, o); st(r.1, o + c); st(r.2, o + 2 * c); st(r.3, o + 3 * c)
                } else {
                    st(r.0, o)
                    if cols > 1 { st(r.1, o + c) }
                    if cols > 2 { st(r.2, o + 2 * c) }
                }
            }
        }
    }
}
