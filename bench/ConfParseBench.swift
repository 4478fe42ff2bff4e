// Times parsing and resolving a jail.conf: fuzz-free, Foundation-free, built by
// bench/conf-parse.sh together with Sources/JailConf.
//
//   conf-bench FILE [ITERATIONS]
//
// The file is read once; each iteration parses it from memory and resolves every jail for
// creation (dependency order, substitution, validation), which is what `jail -c` does first.

#if canImport(Glibc)
    import Glibc
#endif

@main
struct ConfParseBench {
    static func main() {
        do {
            try run()
        } catch {
            print("conf-bench: \(error)")
            exit(1)
        }
    }

    static func run() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: conf-bench FILE [ITERATIONS]")
            exit(2)
        }
        let path = arguments[1]
        let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
        guard let text = readFile(path) else {
            print("conf-bench: cannot read \(path)")
            exit(1)
        }
        let fileSystem = InMemoryFileSystem([path: text])
        let clock = ContinuousClock()
        var samples: [Duration] = []
        var jails = 0
        for _ in 0..<iterations {
            let elapsed = try clock.measure {
                let file = try JailConfFile(path: path, fs: fileSystem)
                jails = try file.resolve([], overrides: [], forRemoval: false).count
            }
            samples.append(elapsed)
        }
        samples.sort()
        let median = samples[samples.count / 2]
        var parseOnly: [Duration] = []
        for _ in 0..<iterations {
            parseOnly.append(try clock.measure { _ = try JailConfFile(path: path, fs: fileSystem) })
        }
        parseOnly.sort()
        print("jails: \(jails), bytes: \(text.utf8.count), iterations: \(iterations)")
        print("parse+resolve: min \(milliseconds(samples[0])) ms, median \(milliseconds(median)) ms")
        print(
            "parse alone:   min \(milliseconds(parseOnly[0])) ms, median \(milliseconds(parseOnly[parseOnly.count / 2])) ms"
        )
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "\(micros / 1000).\(String(micros % 1000 / 10 + 100).dropFirst())"
    }

    static func readFile(_ path: String) -> String? {
        guard let handle = fopen(path, "r") else { return nil }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
