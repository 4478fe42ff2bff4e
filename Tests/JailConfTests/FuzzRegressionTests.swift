import FoundationEssentials
import Testing

@testable import JailConf

/// Inputs the fuzzer (fuzz/run.sh) stopped on, replayed through the same checks as
/// fuzz/FuzzEntry.swift, and the seed corpus replayed too.
@Suite struct FuzzRegressionTests {
    /// What fuzz/FuzzEntry.swift does with one input, with its invariants as expectations.
    static func exercise(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "\u{0}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let included = parts.count > 1 ? parts[1] : ""
        let words = parts.count > 2 ? parts[2].split(separator: "\n").map(String.init) : []
        let fileSystem = InMemoryFileSystem([
            "/f/jail.conf": parts[0], "/f/inc.conf": included, "/f/d/a.conf": included, "/f/d/b.conf": parts[0],
            "/etc/jail.conf": parts[0], "/etc/jail.conf.d/x.conf": included,
        ])
        if let file = try? JailConfFile(path: "/f/jail.conf", fs: fileSystem) {
            let names = file.jailNames
            if let shown = try? file.formatE(separator: "|") {
                #expect(shown.isEmpty == names.isEmpty)
                #expect(shown.isEmpty || shown.utf8.last == UInt8(ascii: "\n"))
            }
            if let all = try? file.resolve([], overrides: words, forRemoval: false) {
                #expect(all.count == names.count)
            }
            if let all = try? file.resolve([], overrides: [], forRemoval: true) {
                #expect(all.count == names.count)
            }
            for name in names.prefix(4) {
                if let jails = try? file.resolve([name], overrides: [], forRemoval: false) {
                    #expect(jails.last?.configName == name)
                }
            }
            _ = try? file.resolve(["*", "a.*"], overrides: words, forRemoval: false)
        }
        if let params = try? CommandLineParams.parse(words) {
            for (name, _) in params.entries {
                #expect(ParameterNames.lookup(name) != nil)
            }
        }
    }

    @Test func newlineInsideAnExhibitedValue() throws {
        // Found at once: a value holding a newline (from `\n`) makes `jail -e` print more lines
        // than jails. FreeBSD's quoted_print prints it as it is, so the harness was wrong, not
        // the parser; the value must come out intact.
        let text = #"a { exec.start = "one\ntwo"; }"#
        #expect(try exhibit(text) == "name=a|exec.start=one\ntwo\n")
        Self.exercise(Array(text.utf8))
    }

    @Test func carriageReturnsBeforeTheFinalNewline() throws {
        // fuzz/corpus/regression-crlf-exhibit: a parameter whose quoted name is full of CRs
        // ends the `-e` line with "\r\n", which Swift sees as one Character, so a Character-based
        // check of the final newline failed.
        let bytes = Array(
            "d3d3IHsKbnk7CiAgIA0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDScNDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ12bmV0DQ0NDQ0NDXtubQ0NDQ0nDTsKfQo="
                .base64Decoded)
        Self.exercise(bytes)
        let file = try JailConfFile(
            path: "/f/jail.conf", fs: InMemoryFileSystem(["/f/jail.conf": String(decoding: bytes, as: UTF8.self)]))
        #expect(try file.formatE(separator: "|").utf8.last == UInt8(ascii: "\n"))
        // Creating the jail refuses the strange name, and says so on one line.
        let error = failure { _ = try file.resolve(["www"], overrides: [], forRemoval: false) }
        #expect(error?.kind == .unknownParameter)
        #expect(error?.description.contains("\r") == false)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func seedCorpusReplays() throws {
        let directory = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../fuzz/corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.count >= 9)
        for name in names {
            let data = try Data(contentsOf: directory.appending(path: name))
            Self.exercise(Array(data))
        }
    }
}

extension String {
    /// Test helper: the bytes of a base64 text (the fuzzer's own notation for crash inputs).
    fileprivate var base64Decoded: [UInt8] {
        Array(Data(base64Encoded: self) ?? Data())
    }
}
