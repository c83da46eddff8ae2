// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "order-saga",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "order-saga", targets: ["OrderSagaCommand"]),
        .executable(name: "provider-sandbox", targets: ["ProviderSandboxCommand"]),
        .executable(name: "saga-bench", targets: ["SagaBench"]),
        .library(name: "JSONValues", targets: ["JSONValues"]),
        .library(name: "Mongo", targets: ["Mongo"]),
        .library(name: "SagaKit", targets: ["SagaKit"]),
        .library(name: "SagaKitTesting", targets: ["SagaKitTesting"]),
        .library(name: "SagaKitMongo", targets: ["SagaKitMongo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter would add minutes to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: The one JSON value type (engine payloads, token claims, the client's untyped members)
        .target(name: "JSONValues"),

        // MARK: MongoDB over libmongoc
        .systemLibrary(
            name: "CMongoc",
            path: "Sources/CMongoc",
            pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev", "libbson-dev"])]
        ),
        .target(
            name: "Mongo",
            dependencies: [
                "CMongoc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "MongoTesting",
            dependencies: ["Mongo"]
        ),

        // MARK: The durable saga engine
        .target(
            name: "SagaKit",
            dependencies: [
                "JSONValues",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "SagaKitTesting",
            dependencies: ["SagaKit", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SagaKitMongo",
            dependencies: [
                "SagaKit",
                "Mongo",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // MARK: The order domain and its service
        .target(
            name: "Orders",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "SagaKit",
                "Mongo",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // MARK: Identities from an OIDC provider
        .target(
            name: "Identity",
            dependencies: [
                "JSONValues",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OrderService",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "Orders",
                "SagaKitMongo",
                "Identity",
                // The composition root: it opens the database clients and maps their errors to 503.
                "Mongo",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/console")]
        ),

        // MARK: The command-line client
        .target(
            name: "OrderSagaClient",
            dependencies: [
                "JSONValues",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "OrderSagaCLI",
            dependencies: [
                "OrderSagaClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "OrderSagaCommand",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "OrderService",
                "OrderSagaCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: The provider sandbox
        .target(
            name: "ProviderSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ProviderSandboxCommand",
            dependencies: [
                "ProviderSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Benchmarks
        // Counts the process's heap allocations (glibc's allocator, interposed): only the benchmark links it.
        .target(name: "AllocationCounter"),
        .executableTarget(
            name: "SagaBench",
            dependencies: [
                "SagaKit",
                "AllocationCounter",
                // The ceiling mode measures the database itself through the same driver layer as the service.
                "Mongo",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(
            name: "MongoTests",
            dependencies: [
                "Mongo", "MongoTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "JSONValuesTests", dependencies: ["JSONValues"]),
        .testTarget(
            name: "SagaKitTests",
            dependencies: [
                "SagaKit", "SagaKitTesting", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(
            name: "SagaKitMongoTests",
            dependencies: ["SagaKitMongo", "SagaKit", "SagaKitTesting", "Mongo", "MongoTesting"]),
        .testTarget(name: "OrdersTests", dependencies: ["Orders", "Mongo", "SagaKit", "MongoTesting"]),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: [
                "OrderService",
                "ProviderSandbox",
                "MongoTesting",
                "Identity",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "OrderSagaCLITests",
            dependencies: [
                "OrderSagaClient",
                "OrderService",
                "ProviderSandbox",
                "MongoTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ProviderSandboxTests",
            dependencies: [
                "ProviderSandbox",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
