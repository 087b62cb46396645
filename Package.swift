// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "WindFlow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "windflow", targets: ["windflow"]),
        .library(name: "WindFlowCore", targets: ["WindFlowCore"]),
        .library(name: "WindFlowStore", targets: ["WindFlowStore"]),
        .library(name: "WindFlowPostgres", targets: ["WindFlowPostgres"]),
        .library(name: "CurlHTTP", targets: ["CurlHTTP"]),
        .library(name: "WindFlowServer", targets: ["WindFlowServer"]),
        .library(name: "WindFlowEngine", targets: ["WindFlowEngine"]),
        .library(name: "WindFlowDesigner", targets: ["WindFlowDesigner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "WindFlowCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl"]
        ),
        .target(
            name: "WindFlowStore",
            dependencies: ["WindFlowCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The PostgreSQL store: the same protocols as SQLiteStore, for several processes on one database.
        .target(
            name: "WindFlowPostgres",
            dependencies: [
                "WindFlowCore", "WindFlowStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WindFlowEngine",
            dependencies: [
                "WindFlowCore", "WindFlowStore", "CurlHTTP", "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "WindFlowDesigner",
            dependencies: [
                "WindFlowCore", "WindFlowStore", "CurlHTTP",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedResources"]
        ),
        .target(
            name: "WindFlowServer",
            dependencies: [
                "WindFlowCore", "WindFlowStore", "WindFlowEngine", "WindFlowDesigner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                // The connection limits (header size, slow clients) sit in the channel pipeline.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            plugins: ["EmbedResources"]
        ),
        // Editor/, Templates/ and Prompts/ are embedded at build time (nothing generated is committed).
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),
        .executableTarget(name: "EmbedResourcesTool", path: "Plugins/EmbedResourcesTool"),
        .executableTarget(
            name: "windflow",
            dependencies: [
                "WindFlowCore", "WindFlowStore", "WindFlowPostgres", "WindFlowEngine", "WindFlowServer", "WindFlowDesigner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WindFlowCoreTests",
            dependencies: ["WindFlowCore", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        // Real peers for tests (a loopback HTTP server…); used by test targets only.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: ["CurlHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "WindFlowStoreTests",
            dependencies: [
                "WindFlowStore", "WindFlowPostgres", "WindFlowCore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "WindFlowEngineTests",
            dependencies: ["WindFlowEngine", "WindFlowStore", "WindFlowCore", "CurlHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "WindFlowServerTests",
            dependencies: ["WindFlowServer", "WindFlowDesigner", "WindFlowEngine", "WindFlowStore", "WindFlowCore", "CurlHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "WindFlowDesignerTests",
            dependencies: ["WindFlowDesigner", "WindFlowEngine", "WindFlowStore", "WindFlowCore", "CurlHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "WindFlowCLITests",
            dependencies: ["WindFlowCore", "CurlHTTP", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
