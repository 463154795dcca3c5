/// Output positions grouped by the set of kernel taps that land inside the input.
///
/// On small maps most output positions touch the zero padding (on a 2x2 map a
/// 3x3 pad-1 conv reads only 4 of its 9 taps per position). Grouping the
/// positions by their in-bounds tap set lets each group run its own GEMM with
/// only the taps it reads, so padding is never multiplied.
///
/// Group layout: group `c` owns rows `rowOffset[c] ..< rowOffset[c] + batch * positions.count`,
/// ordered (n, j) for sample n and its j-th position; its patch block is
/// `[batch * positions.count, taps.count * channels]` at `patchOffset[c]`.
public struct TapClasses: Sendable {
    public struct Group: Sendable {
        /// Flat output positions `oy * outWidth + ox`.
        public let positions: [Int]
        /// In-bounds taps `ky * kernelW + kx`, ascending.
        public let taps: [Int]
        /// First row of this group in the grouped row order.
        public let rowOffset: Int
        /// First float of this group's patch block.
        public let patchOffset: Int
        /// First float of this group's packed weights `[O, taps * channels]` (per output channel count 1).
        public let weightOffset: Int
        /// For each (position j, tap t) in row order, the input offset `(iy * W + ix) * C` within a sample.
        public let sourceOffsets: [Int]
    }

    public let geometry: ConvGeometry
    public let groups: [Group]
    /// Floats of all patch blocks together.
    public let patchCount: Int
    /// Sum over groups of `taps.count * channels` (packed weight floats per output channel).
    public let packedK: Int

    public init(_ g: ConvGeometry) {
        geometry = g
        var order: [[Int]] = []
        var members: [[Int]: [Int]] = [:]
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var taps: [Int] = []
                for ky in 0..<g.kernelH {
                    let iy = oy * g.stride - g.padding + ky
                    if iy < 0 || iy >= g.height { continue }
                    for kx in 0..<g.kernelW {
                        let ix = ox * g.stride - g.padding + kx
                        if ix >= 0 && ix < g.width { taps.append(ky * g.kernelW + kx) }
                    }
                }
                if members[taps] == nil { order.append(taps) }
                members[taps, default: []].append(oy * g.outWidth + ox)
            }
        }
        var groups: [Group] = []
        var row = 0, patch = 0, wk = 0
        for taps in order {
            let pos = members[taps]!
            var offsets: [Int] = []
            for p in pos {
                let oy = p / g.outWidth, ox = p % g.outWidth
                for t in taps {
                    let iy = oy * g.stride - g.padding + t / g.kernelW
                    let ix = ox * g.stride - g.padding + t % g.kernelW
                    offsets.append((iy * g.width + ix) * g.channels)
                }
            }
            groups.append(Group(positions: pos, taps: taps, rowOffset: row, patchOffset: patch, weightOffset: wk,
                                sourceOffsets: offsets))
            row += g.batch * pos.count
            patch += g.batch * pos.count * taps.count * g.channels
            wk += taps.count * g.channels
        }
        self.groups = groups
        patchCount = patch
        packedK = wk
    }

    /// Multiply-adds with grouping relative to the dense patch GEMM (1 = no saving).
    public var workFraction: Double {
        let g = geometry
        let dense = Double(g.outHeight * g.outWidth * g.kernelH * g.kernelW)
        return Double(groups.reduce(0) { $0 + $1.positions.count * $1.taps.count }) / dense
    }

    /// Fills every group's patch block from x `[N, H, W, C]`.
    public func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels
        let sampleSize = g.height * g.width * c
        for grp in groups {
            let rowBlock = grp.positions.count * grp.taps.count * c
            grp.sourceOffsets.withUnsafeBufferPointer { offs in
                Parallel.chunks(g.batch, work: g.batch * rowBlock) { range in
                    for n in range {
                        let xs = x + n * sampleSize
                        var dst = cols + grp.patchOffset + n * rowBlock
                        for o in offs {
                            Kernels.copy(dst, xs + o, count: c)
                            dst += c
                        }
                    }
                }
            }
        }
    }

    /// dx `[N, H, W, C]` = sum of every group's patch gradients at their input positions (overwrites dx).
    public func col2im(_ cols: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels
        let sampleSize = g.height * g.width * c
        Parallel.chunks(g.batch, work: patchCount) { range in
            for n in range {
                let xs = dx + n * sampleSize
                xs.update(repeating: 0, count: sampleSize)
                for grp in groups {
                    let rowBlock = grp.positions.count * grp.taps.count * c
                    var src = cols + grp.patchOffset + n * rowBlock
                    grp.sourceOffsets.withUnsafeBufferPointer { offs in
                        for o in offs {
                            Kernels.addInPlace(xs + o, src, count: c)
                            src += c
                        }
                    }
                }
            }
        }
    }

    /// Copies rows of an NHWC-ordered `[N*OH*OW, width]` matrix into grouped row order (`toGrouped`)
    /// or back (`!toGrouped`).
    public func permuteRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, width: Int, toGrouped: Bool) {
        let g = geometry
        let per = g.outHeight * g.outWidth
        Parallel.chunks(g.batch, work: g.rows * width) { range in
            for grp in groups {
                let p = grp.positions.count
                for n in range {
                    for (j, pos) in grp.positions.enumerated() {
                        let grouped = (grp.rowOffset + n * p + j) * width
                        let natural = (n * per + pos) * width
                        if toGrouped {
                            Kernels.copy(dst + grouped, src + natural, count: width)
                        } else {
                            Kernels.copy(dst + natural, src + grouped, count: width)
                        }
                    }
                }
            }
        }
    }
}
