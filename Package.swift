// swift-tools-version: 6.2
import PackageDescription

// Warnings are errors in every module of ours; the ones that touch the kernel also check
// memory safety strictly.
let noWarnings: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
let strict: [SwiftSetting] = [.strictMemorySafety()] + noWarnings

let package = Package(
    name: "Jails",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jail", targets: ["jail"]),
        .library(name: "Jails", targets: ["Jails"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // How messages quote what users wrote; shared by the pure modules.
        .target(name: "Messages", swiftSettings: noWarnings),
        .target(name: "JailConf", dependencies: ["Messages"], swiftSettings: noWarnings),
        // rctl(8): rules, resources and their Linux mechanisms, usage formatting. Pure Swift.
        .target(name: "Rctl", dependencies: ["Messages"], swiftSettings: noWarnings),
        // fstab(5) lines and devfs rulesets (FreeBSD's syntax and defaults, Linux devices). Pure Swift.
        .target(name: "JailMounts", dependencies: ["Messages"], swiftSettings: noWarnings),
        // `jail nano`: ELF files, the loader's search rules, the plan of a nanojail's tree. Pure Swift.
        .target(name: "Nano", dependencies: ["JailMounts"], swiftSettings: noWarnings),
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp"),
        .target(name: "CJail"),
        .target(
            name: "JailSys",
            dependencies: ["CJail", "CSeccomp", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict),
        .target(
            name: "Jails",
            dependencies: ["JailSys", "JailConf", "Rctl", "JailMounts", "Nano", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict),
        .target(
            name: "JailCLI",
            dependencies: ["Jails", "JailConf", "Nano"],
            swiftSettings: noWarnings),
        .executableTarget(name: "jail", dependencies: ["JailCLI"]),
        // A daemon that jails itself (issue 9), and the tests' subject doing the same.
        .executableTarget(name: "selfjail-example", dependencies: ["Jails"], path: "Examples/SelfJail"),
        .executableTarget(name: "selfjail-probe", dependencies: ["Jails"], path: "Tests/SelfJailProbe"),
        .testTarget(name: "JailConfTests", dependencies: ["JailConf"]),
        .testTarget(name: "RctlTests", dependencies: ["Rctl"]),
        .testTarget(name: "JailMountsTests", dependencies: ["JailMounts"]),
        .testTarget(name: "NanoTests", dependencies: ["Nano"]),
        .testTarget(name: "JailsTests", dependencies: ["Jails", "JailSys", "JailCLI", "JailConf", "JailMounts", "Rctl", "Nano"]),
        // Runs the real `jail` binary; the dependency makes `swift test` build it first.
        .testTarget(name: "IntegrationTests", dependencies: ["jail", "selfjail-example", "selfjail-probe"], exclude: []),
    ]
)
