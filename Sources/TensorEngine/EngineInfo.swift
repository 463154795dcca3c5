import CBLAS
import Foundation

/// What the engine runs on: BLAS library, its core type, threads and precision (LAB.md §0).
public enum EngineInfo {
    /// OpenBLAS's configuration string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
    public static var blasConfig: String {
        guard let c = openblas_get_config() else { return "unknown BLAS" }
        return String(cString: c).trimmingCharacters(in: .whitespaces)
    }

    /// The CPU kernel OpenBLAS selected at run time (e.g. "Cooperlake", "Zen").
    public static var coreType: String {
        guard let c = openblas_get_corename() else { return "unknown" }
        return String(cString: c)
    }

    /// Threads OpenBLAS uses for one GEMM: 1, since the engine splits GEMMs itself (see `Parallel`).
    public static var blasThreads: Int {
        _ = GEMM.ensureSingleThreadedBLAS
        return Int(openblas_get_num_threads())
    }

    /// Threads the engine uses (its loops and its split GEMMs).
    public static var threads: Int { Parallel.workers }

    /// Sets the engine's thread count (at least 1); BLAS itself stays single-threaded.
    public static func setThreads(_ n: Int) {
        _ = GEMM.ensureSingleThreadedBLAS
        Parallel.workers = Swift.max(1, n)
    }

    /// One line for logs and `bench`: BLAS, core type, threads, precision.
    public static var summary: String {
        "\(blasConfig) (\(coreType)), \(threads) engine threads (GEMMs split by the engine, BLAS single-threaded), \(precision)"
    }

    /// Precision of every tensor.
    public static let precision = "float32"
}
