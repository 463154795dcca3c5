// swift-tools-version:6.0
// Swift Lab: a Jupyter kernel, a readline REPL and a script player around one
// BLAS-backed deep-learning engine. Layers point one way:
// C shims -> TensorEngine -> NeuralNet -> Datasets -> Figures -> LabSession
// -> JupyterKernel (knows nothing of CNNs) -> SwiftLabApp -> swift-lab.
import PackageDescription

/// Numeric targets drop overflow and exclusivity checks in release builds.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "swift-lab",
    products: [
        .executable(name: "swift-lab", targets: ["swift-lab"]),
    ],
    targets: [
        // C libraries from Debian, through module maps.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CReadline", pkgConfig: "readline", providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libcurl's headers only: the library is dlopen'ed on the first download (see CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // The library, layer by layer.
        .target(name: "TensorEngine", dependencies: ["CBLAS"], swiftSettings: fastMath),
        .target(name: "NeuralNet", dependencies: ["TensorEngine"], swiftSettings: fastMath),
        .target(name: "Datasets", dependencies: ["TensorEngine", "CZlib", "CCrypto", "CCurl"], swiftSettings: fastMath),
        .target(name: "Figures", dependencies: ["TensorEngine", "CZlib"], swiftSettings: fastMath),
        .target(name: "LabSession", dependencies: ["NeuralNet", "Datasets", "Figures"]),
        .target(name: "JupyterKernel", dependencies: ["CZeroMQ", "CCrypto"]),
        .target(name: "SwiftLabApp", dependencies: ["LabSession", "JupyterKernel", "CReadline"]),
        .executableTarget(name: "swift-lab", dependencies: ["SwiftLabApp"]),

        // Tests mirror the targets.
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures"]),
        .testTarget(name: "LabSessionTests", dependencies: ["LabSession"]),
        .testTarget(name: "JupyterKernelTests", dependencies: ["JupyterKernel"]),
        .testTarget(name: "SwiftLabAppTests", dependencies: ["SwiftLabApp"], exclude: ["repl_pty_driver.py"]),
    ],
    swiftLanguageModes: [.v6]
)
