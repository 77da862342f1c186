// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Yams 5 builds the node tree without rejecting duplicate keys, so the loader can report
        // every duplicate with both positions instead of stopping at the first (docs/decisions.md).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/onevcat/Rainbow", from: "4.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .executableTarget(
            name: "slipway",
            dependencies: ["SlipwayCLI"]
        ),
        .target(
            name: "SlipwayCLI",
            dependencies: [
                "SlipwayBundles",
                "SlipwayCore",
                "SlipwayGenerators",
                "SlipwayRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Rainbow", package: "Rainbow"),
            ]
        ),
        .target(
            name: "SlipwayGenerators",
            dependencies: ["SlipwayCore"]
        ),
        .target(
            name: "SlipwayBundles",
            dependencies: [
                "SlipwayCore", .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "SlipwayRunner",
            dependencies: [
                "SlipwayCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "SlipwayCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SlipwayTesting",
            dependencies: [
                "SlipwayBundles", "SlipwayCore", "SlipwayRunner", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SlipwayCoreTests",
            dependencies: ["SlipwayCore", "SlipwayTesting"]
        ),
        .testTarget(
            name: "SlipwayGeneratorsTests",
            dependencies: [
                "SlipwayBundles", "SlipwayCore", "SlipwayGenerators", "SlipwayRunner", "SlipwayTesting",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "SlipwayBundlesTests",
            dependencies: [
                "SlipwayBundles", "SlipwayCore", "SlipwayGenerators", "SlipwayRunner", "SlipwayTesting",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "SlipwayRunnerTests",
            dependencies: [
                "SlipwayCore", "SlipwayRunner", "SlipwayTesting", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SlipwayCLITests",
            dependencies: [
                "slipway", "SlipwayCore", "SlipwayRunner", "SlipwayTesting",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
