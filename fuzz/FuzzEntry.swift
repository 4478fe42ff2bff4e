// libFuzzer target for the jail.conf language. fuzz/run.sh compiles it together with
// Sources/JailConf into one module, so internal API is reachable without @testable.
//
// One input drives every entry point. NUL bytes split it into up to three parts: the main
// file, a second file that the main file (and a glob) may include, and command-line words
// (one per line) used both as `jail -c name=value ...` words and as overrides.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: "\u{0}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let main = parts[0]
    let included = parts.count > 1 ? parts[1] : ""
    let words = parts.count > 2 ? parts[2].split(separator: "\n").map(String.init) : []

    let fileSystem = InMemoryFileSystem([
        "/f/jail.conf": main,
        "/f/inc.conf": included,
        "/f/d/a.conf": included,
        "/f/d/b.conf": main,
        "/etc/jail.conf": main,
        "/etc/jail.conf.d/x.conf": included,
    ])

    if let file = try? JailConfFile(path: "/f/jail.conf", fs: fileSystem) {
        let names = file.jailNames
        if let shown = try? file.formatE(separator: "|") {
            // Something per configured jail, each ended by a newline (values may hold newlines
            // too: FreeBSD's quoted_print prints them as they are).
            // Bytes, not Characters: "\r\n" is one Character, so hasSuffix("\n") would be false.
            precondition(shown.isEmpty == names.isEmpty && (shown.isEmpty || shown.utf8.last == UInt8(ascii: "\n")))
        }
        if let all = try? file.resolve([], overrides: words, forRemoval: false) {
            precondition(all.count == names.count)
        }
        if let all = try? file.resolve([], overrides: [], forRemoval: true) {
            precondition(all.count == names.count)
        }
        for name in names.prefix(4) {
            if let jails = try? file.resolve([name], overrides: [], forRemoval: false) {
                precondition(jails.last?.configName == name)
            }
        }
        _ = try? file.resolve(["*", "a.*"], overrides: words, forRemoval: false)
    }
    if let file = try? JailConfFile(path: JailConfFile.defaultPath, fs: fileSystem) {
        _ = try? file.resolve(["x"], overrides: [], forRemoval: false)
    }
    if let params = try? CommandLineParams.parse(words) {
        for (name, _) in params.entries {
            precondition(ParameterNames.lookup(name) != nil)
            _ = params.valueOrDefault(name)
        }
    }
    return 0
}
