import CBLAS

/// Row-major float32 matrix products over OpenBLAS, with a naive reference beside them.
///
/// Every matrix is row-major: `A` is `[m, k]` (or `[k, m]` when `transA`),
/// `B` is `[k, n]` (or `[n, k]` when `transB`), `C` is `[m, n]`; `lda`,
/// `ldb`, `ldc` are the row strides as stored.
public enum GEMM {
    /// Products below this many multiply-adds run on the calling thread (about 20 µs of one core).
    nonisolated(unsafe) public static var parallelMinimumMACs = 1 << 20

    /// OpenBLAS set to one thread, once per process: the engine splits GEMMs itself (see `Parallel`).
    public static let ensureSingleThreadedBLAS: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// C = alpha * op(A) * op(B) + beta * C, split across `Parallel.workers` by rows or columns of C.
    ///
    /// Each worker runs single-threaded `cblas_sgemm` on its own block of C, so the
    /// result is the same whatever the thread count (every element is one dot product
    /// computed by one thread). Small products, and calls from inside a parallel
    /// region, run whole on the calling thread.
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
        let workers = Parallel.workers
        if workers <= 1 || m * n * k < parallelMinimumMACs || Parallel.insideRegion || Swift.max(m, n) < 32 {
            blockSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Split the longer side of C in multiples of 16 (the AVX-512 kernel's block).
        let splitRows = m >= n
        let length = splitRows ? m : n
        let parts = Swift.min(workers, length / 16)
        let step = ((length + parts - 1) / parts + 15) / 16 * 16
        Parallel.run(parts) { p in
            let lo = p * step, hi = Swift.min(length, lo + step)
            guard lo < hi else { return }
            if splitRows {
                blockSgemm(transA, transB, hi - lo, n, k, alpha, transA ? a + lo : a + lo * lda, lda, b, ldb, beta,
                           c + lo * ldc, ldc)
            } else {
                blockSgemm(transA, transB, m, hi - lo, k, alpha, a, lda, transB ? b + lo * ldb : b + lo, ldb, beta,
                           c + lo, ldc)
            }
        }
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
