import CBLAS

/// Row-major float32 matrix products over OpenBLAS, with a naive reference beside them.
///
/// Every matrix is row-major: `A` is `[m, k]` (or `[k, m]` when `transA`),
/// `B` is `[k, n]` (or `[n, k]` when `transB`), `C` is `[m, n]`; `lda`,
/// `ldb`, `ldc` are the row strides as stored.
public enum GEMM {
    /// Multiply-adds per block of a split product, at least (about 80 µs of one core): smaller
    /// products are one block, larger ones get one block per this many, up to `maximumBlocks`.
    nonisolated(unsafe) public static var parallelMinimumMACs = 1 << 22

    /// OpenBLAS set to one thread, once per process: the engine splits GEMMs itself (see `Parallel`).
    public static let ensureSingleThreadedBLAS: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// At most this many blocks of C per product (so up to this many threads share one GEMM).
    public static let maximumBlocks = 8

    /// C = alpha * op(A) * op(B) + beta * C, cut into blocks of rows or columns of C that the
    /// engine's threads share.
    ///
    /// The blocks depend only on the shape, never on the thread count or on whether the call
    /// comes from inside a parallel region (then the blocks run one after another): each block
    /// is one single-threaded `cblas_sgemm` of the same size every time, so the result is the
    /// same bit for bit on any number of threads. Small products are one block (see `blocking`).
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleRows(c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        _ = ensureSingleThreadedBLAS
        let (splitRows, step, blocks) = blocking(m: m, n: n, k: k)
        if blocks == 1 {
            blockSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let length = splitRows ? m : n
        func block(_ p: Int) {
            let lo = p * step, hi = Swift.min(length, lo + step)
            if splitRows {
                blockSgemm(transA, transB, hi - lo, n, k, alpha, transA ? a + lo : a + lo * lda, lda, b, ldb, beta,
                           c + lo * ldc, ldc)
            } else {
                blockSgemm(transA, transB, m, hi - lo, k, alpha, a, lda, transB ? b + lo * ldb : b + lo, ldb, beta,
                           c + lo, ldc)
            }
        }
        let workers = Swift.min(Parallel.workers, blocks)
        if workers <= 1 || Parallel.insideRegion {
            for p in 0..<blocks { block(p) }
            return
        }
        Parallel.run(workers) { w in
            for p in stride(from: w, to: blocks, by: workers) { block(p) }
        }
    }

    /// How a product is cut, from its shape alone: along rows of C when m >= n (else columns), in
    /// 1, 2, 4 or 8 blocks of `step` (the last may be shorter). A block is at least 64 long, since
    /// every block packs the whole other operand again, and at least `parallelMinimumMACs` of work.
    static func blocking(m: Int, n: Int, k: Int) -> (splitRows: Bool, step: Int, blocks: Int) {
        let splitRows = m >= n
        let length = splitRows ? m : n
        let wanted = Swift.min(maximumBlocks, length / 64, m * n * k / Swift.max(1, parallelMinimumMACs))
        if wanted < 2 { return (splitRows, length, 1) }
        var blocks = 1
        while blocks * 2 <= wanted { blocks *= 2 }
        // Multiples of 16 (the AVX-512 kernel's width) where that keeps the blocks even.
        var step = (length + blocks - 1) / blocks
        if step >= 64 { step = (step + 15) / 16 * 16 }
        return (splitRows, step, (length + step - 1) / step)
    }

    /// One single-threaded `cblas_sgemm` call (row-major).
    @inline(__always)
    static func blockSgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                           _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                           _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same product computed with plain loops accumulated in Double (tests only: slow).
    public static func referenceSgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * s + old)
            }
        }
    }

    private static func scaleRows(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, beta: Float) {
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
    }
}
