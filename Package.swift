// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "WindFlow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "windflow", targets: ["windflow"]),
        .library(name: "WindFlowCore", targets: ["WindFlowCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "WindFlowCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "windflow",
            dependencies: [
                "WindFlowCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "WindFlowCoreTests",
            dependencies: ["WindFlowCore"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WindFlowCLITests",
            dependencies: ["WindFlowCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
