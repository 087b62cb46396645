// swift-tools-version: 6.1
// Benchmarks live in their own package so CI never resolves or builds them unless asked.
// Run: swift run -c release --package-path Benchmarks windflow-benchmarks
import PackageDescription

let package = Package(
    name: "WindFlowBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "WindFlow", path: ".."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "windflow-benchmarks",
            dependencies: [
                .product(name: "WindFlowCore", package: "WindFlow"),
                .product(name: "WindFlowStore", package: "WindFlow"),
                .product(name: "WindFlowPostgres", package: "WindFlow"),
                .product(name: "WindFlowEngine", package: "WindFlow"),
                .product(name: "CurlHTTP", package: "WindFlow"),
                .product(name: "WindFlowServer", package: "WindFlow"),
                .product(name: "WindFlowDesigner", package: "WindFlow"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/WindFlowBenchmarks"
        )
    ],
    swiftLanguageModes: [.v6]
)
