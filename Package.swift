// swift-tools-version: 6.1
import PackageDescription

// Kernels and the model code are compiled for the CPU that builds them (`-target-cpu native`: AVX-512 on
// some machines of this kind, only AVX2/FMA on others); without it SIMD FMA lowers to scalar library calls
// (see README, "Performance flags").
// `-Ounchecked` is applied only to the numeric kernels, whose indices come from validated shapes —
// never to code that parses input.
let hostCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]
// Debug builds optimise the kernels too (`-O`, checks kept): unoptimised SIMD loops made them most of the
// test suite's time, and the rest of the code stays debuggable.
let kernelFlags: [SwiftSetting] =
    hostCPU + [
        .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
        .unsafeFlags(["-O"], .when(configuration: .debug)),
    ]

let package = Package(
    name: "LNTune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lntune", targets: ["lntune"]),
        .library(name: "LNTune", targets: ["LNTune"]),
    ],
    // `MPI` builds data-parallel training and sharded generation on Open MPI (`swift build --traits MPI`,
    // Debian `libopenmpi-dev`); the default build needs no MPI and runs as one process.
    traits: [.trait(name: "MPI", description: "Data-parallel training and sharded generation on Open MPI")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        // oneDNN (Debian's build runs on OpenMP): bf16 products on CPUs with avx512_bf16/AMX, f32 for comparison.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CUTF8Proc", path: "Sources/CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),
        // Open MPI's C API; linked only with the `MPI` trait.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // The one seeded generator (SplitMix64); no dependencies, so Metrics stays free of the numeric targets.
        .target(name: "Randomness"),
        // Strict text input (UTF-8 with line:column, one CR policy, CSV, JSON lines); Foundation only.
        .target(name: "TextIO"),
        // The one stopwatch (wall and CPU time) and peak-memory reading: the trainer's phase times and every
        // benchmark use it, so it sits below LNTune rather than in Benchmarks.
        .target(name: "ResourceUsage"),
        // The thread count of all parallel work (LNTUNE_THREADS); no dependencies, so Metrics can use it too.
        .target(name: "WorkerThreads"),
        // The processes of a run and the few messages they exchange: one process, or Open MPI ranks (`MPI`).
        .target(name: "Collective", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(
            name: "Kernels", dependencies: ["CBLAS", "CDNNL", "Randomness", "WorkerThreads"], swiftSettings: kernelFlags
        ),
        .target(name: "Tokenizers", dependencies: ["CUTF8Proc", "TextIO"]),
        .target(name: "GPT2", dependencies: ["Kernels", "Randomness"], swiftSettings: hostCPU),
        .target(name: "Tuning", dependencies: ["GPT2", "Kernels", "Randomness"], swiftSettings: hostCPU),
        .target(name: "Decoding", dependencies: ["GPT2", "Kernels", "Randomness"], swiftSettings: hostCPU),
        .target(name: "Metrics", dependencies: ["Randomness", "TextIO", "WorkerThreads"]),
        .target(name: "Datasets", dependencies: ["TextIO", "Randomness"]),
        .target(
            name: "LNTune",
            dependencies: [
                "Tokenizers", "GPT2", "Tuning", "Decoding", "Metrics", "Datasets", "Kernels", "TextIO", "ResourceUsage",
                "Collective",
            ],
            swiftSettings: hostCPU),
        // The `lntune bench` work, kept out of the library targets.
        .target(
            name: "Benchmarks",
            dependencies: [
                "LNTune", "Kernels", "GPT2", "Tuning", "Decoding", "Metrics", "Datasets", "Tokenizers", "ResourceUsage",
            ],
            swiftSettings: hostCPU),
        .executableTarget(
            name: "lntune",
            dependencies: [
                "LNTune", "Benchmarks", "TextIO", "WorkerThreads", "Collective",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["Kernels", "GPT2", "Randomness"]),

        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "TextIOTests", dependencies: ["TextIO"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport", "WorkerThreads"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TextIO", "TestSupport"]),
        .testTarget(name: "GPT2Tests", dependencies: ["GPT2", "TestSupport"]),
        .testTarget(name: "TuningTests", dependencies: ["Tuning", "TestSupport", "WorkerThreads"]),
        .testTarget(name: "DecodingTests", dependencies: ["Decoding", "TestSupport"]),
        .testTarget(
            name: "MetricsTests", dependencies: ["Metrics", "TextIO", "Benchmarks", "TestSupport", "WorkerThreads"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TextIO", "TestSupport"]),
        .testTarget(
            name: "LNTuneTests",
            dependencies: [
                "LNTune", "TextIO", "TestSupport", "GPT2", "Tuning", "Decoding", "Datasets", "Tokenizers",
                "WorkerThreads", "Collective",
            ]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "GPT2", "ResourceUsage", "TestSupport"]),
    ]
)
