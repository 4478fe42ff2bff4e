import Testing

@testable import JailConf

/// `.include` (JC5 "Includes", JP special_param, CC include_config) and the default files.
@Suite struct IncludeTests {
    @Test func literalAndGlobIncludes() throws {
        let files = [
            "/etc/jails/base.conf": "exec.clean; path = \"/j/$name\";",
            "/etc/jails/d/b.conf": "b { persist; }",
            "/etc/jails/d/a.conf": "a { persist; }",
            "/etc/jails/d/notes.txt": "this is not jail.conf syntax {",
        ]
        let text = ".include \"/etc/jails/base.conf\";\n.include \"/etc/jails/d/*.conf\";\nc { persist; }"
        let file = try conf(text, path: "/etc/jails/main.conf", files: files)
        // Matches are read in sorted order (glob(3) sorts), where the .include stands.
        #expect(file.jailNames == ["a", "b", "c"])
        #expect(try file.resolve(["a"], overrides: [], forRemoval: false)[0].string("path") == "/j/a")
    }

    @Test func relativeIncludesAreRelativeToTheIncludingFile() throws {
        // CC include_config: "Base relative pathnames on the current config file."
        let files = ["/etc/jails/sub/x.conf": #".include "../y.conf";"#, "/etc/jails/y.conf": "y { persist; }"]
        let file = try conf(#".include "sub/x.conf";"#, path: "/etc/jails/main.conf", files: files)
        #expect(file.jailNames == ["y"])
    }

    @Test func includeInsideADefinitionAddsToThatJail() throws {
        // JP keeps the current jail in a static variable across included files, so statements
        // at the top of an included file belong to the enclosing definition.
        let files = ["/test/common.conf": "persist; host.hostname = \"$name.example\";"]
        let jail = try jail("www", in: #"www { .include "common.conf"; path = /; }"#, files: files)
        #expect(jail.string("host.hostname") == "www.example")
        #expect(jail.bool("persist") == true)
    }

    @Test func literalIncludeMustExistButAGlobNeedNotMatch() {
        // CC include_config: "Globbing doesn't need to catch any files, but a non-glob file
        // needs to exist."
        #expect(throws: Never.self) { _ = try conf(#".include "/nowhere/*.conf";"#) }
        let error = failure { _ = try conf("\n  .include \"/nowhere/x.conf\";") }
        #expect(error?.description == "/test/jail.conf line 2 column 12: /nowhere/x.conf: cannot read included file")
        #expect(error?.kind == .include)
    }

    @Test func variablesAreNotPermittedInIncludeNames() {
        // JP special_param: "variables not permitted in '.include' filename".
        let error = failure { _ = try conf(#"$d = /etc; .include "$d/x.conf";"#) }
        #expect(
            error?.description == "/test/jail.conf line 1 column 21: variables not permitted in '.include' filename")
    }

    @Test func includeNeedsTheNameValueForm() {
        #expect(failure { _ = try conf(#".include = "x.conf";"#) }?.message == #"use .include "file";"#)
    }

    @Test func includeCycles() {
        let files = ["/test/a.conf": #".include "b.conf";"#, "/test/b.conf": #".include "./a.conf";"#]
        let error = failure { _ = try conf(#".include "a.conf";"#, files: files) }
        #expect(error?.kind == .include)
        #expect(
            error?.description
                == "/test/b.conf line 1 column 10: include cycle: /test/a.conf -> /test/b.conf -> /test/a.conf")
        // A file that globs itself in.
        let selfGlob = ["/etc/jail.conf.d/a.conf": #".include "*.conf";"#]
        #expect(failure { _ = try conf(#".include "/etc/jail.conf.d/*.conf";"#, files: selfGlob) }?.kind == .include)
        // Including the main file again.
        #expect(
            failure { _ = try conf(#".include "jail.conf";"#) }?.message
                == "include cycle: /test/jail.conf -> /test/jail.conf")
    }

    @Test func includeDepthIsBounded() {
        // CC: MAX_INCLUDE_DEPTH 32, "maximum include depth exceeded". Distinct names, so no cycle.
        var files: [String: String] = [:]
        for level in 0..<40 {
            files["/test/f\(level).conf"] = ".include \"f\(level + 1).conf\";"
        }
        files["/test/f40.conf"] = ""
        #expect(
            failure { _ = try conf(#".include "f0.conf";"#, files: files) }?.message == "maximum include depth exceeded"
        )
    }

    @Test func unbalancedBracesInAnIncludedFile() {
        // Each file is parsed as a whole conf (JP yyparse per file).
        let files = ["/test/open.conf": "a {", "/test/close.conf": "}"]
        #expect(
            failure { _ = try conf(#".include "open.conf";"#, files: files) }?.message
                == #"unexpected end of file: missing "}""#)
        #expect(failure { _ = try conf(#"a { .include "close.conf"; }"#, files: files) }?.message == #"unexpected "}""#)
    }

    @Test func defaultFileAndPerJailFallback() throws {
        // RCJ: the rc script reads /etc/jail.conf.d/NAME.conf for a jail the main file does not
        // define; it is read on its own (`jail -f that-file`), and never for a jail the main file
        // (or its includes) defines, so no `+=` applies twice.
        let fileSystem = InMemoryFileSystem([
            "/etc/jail.conf": "exec.start += \"/bin/sh /etc/rc\";\n.include \"/etc/jail.conf.d/www.conf\";",
            "/etc/jail.conf.d/www.conf": "www { exec.start += \"echo www\"; path = /; persist; }",
            "/etc/jail.conf.d/db.conf": "db { exec.start += \"echo db\"; path = /; persist; }",
        ])
        let file = try JailConfFile(path: JailConfFile.defaultPath, fs: fileSystem)
        #expect(file.jailNames == ["www"])
        let www = try file.resolve(["www"], overrides: [], forRemoval: false)
        #expect(www[0].strings("exec.start") == ["/bin/sh /etc/rc", "echo www"])
        let db = try file.resolve(["db"], overrides: [], forRemoval: false)
        #expect(db[0].strings("exec.start") == ["echo db"])
        #expect(db[0].definedAt?.file == "/etc/jail.conf.d/db.conf")
        // All jails means those of /etc/jail.conf (rc.d's _ALL runs `jail -f /etc/jail.conf -c`).
        #expect(try file.resolve([], overrides: [], forRemoval: false).map(\.name) == ["www"])
        #expect(failure { _ = try file.resolve(["../etc/x"], overrides: [], forRemoval: false) }?.kind == .jailNotFound)
    }

    @Test func missingDefaultFileIsEmpty() throws {
        let fileSystem = InMemoryFileSystem(["/etc/jail.conf.d/solo.conf": "solo { path = /; persist; }"])
        let file = try JailConfFile(path: JailConfFile.defaultPath, fs: fileSystem)
        #expect(file.jailNames.isEmpty)
        #expect(try file.resolve(["solo"], overrides: [], forRemoval: false).map(\.name) == ["solo"])
        // Any other missing file is an error.
        let error = failure { _ = try JailConfFile(path: "./jails.conf", fs: fileSystem) }
        #expect(error?.description == "./jails.conf: cannot read file" && error?.kind == .unreadableFile)
    }

    @Test func globMatcher() {
        #expect(globMatch(Array("/a/*.conf".utf8), Array("/a/x.conf".utf8)))
        #expect(!globMatch(Array("/a/*.conf".utf8), Array("/a/b/x.conf".utf8)))
        #expect(globMatch(Array("/usr/local/etc/jail[.]conf".utf8), Array("/usr/local/etc/jail.conf".utf8)))
        #expect(globMatch(Array("/x/j?.c[!a-c]".utf8), Array("/x/j1.cd".utf8)))
        #expect(!globMatch(Array("/x/j?.c[!a-c]".utf8), Array("/x/j1.cb".utf8)))
        #expect(PathRules.normalize("/etc//jail.conf.d/./../jail.conf") == "/etc/jail.conf")
        #expect(PathRules.normalize("./a/../b.conf") == "b.conf")
    }
}
