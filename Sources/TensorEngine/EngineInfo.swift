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

    /// Threads OpenBLAS uses for one GEMM.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of BLAS threads.
    public static func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// Precision of every tensor.
    public static let precision = "float32"
}
