import Testing

@testable import JailConf

/// `name=value` words (J8 "Jail Parameters"; JC main and add_param).
@Suite struct CommandLineTests {
    @Test func valuesAreTakenLiterally() throws {
        // JC add_param(NULL, NULL, 0, argv[i]): the text after `=` is the value, quotes and all;
        // the shell has already removed its own quoting.
        let params = try CommandLineParams.parse(["name=x", "path=/", "persist", #"exec.start=echo "a b""#])
        #expect(params.name == "x")
        #expect(params.string("path") == "/")
        #expect(params.bool("persist") == true)
        #expect(params.strings("exec.start") == [#"echo "a b""#])
        // No variables on the command line.
        #expect(
            try CommandLineParams.parse(["name=x", "persist", "exec.start=echo $HOME ${x}"]).strings("exec.start") == [
                "echo $HOME ${x}"
            ])
    }

    @Test func listWordsSplitAtCommas() throws {
        // J8: "name=value1,value2 and name=value1 name=value2 are equivalent" for list
        // parameters; JC splits only listparams (ip4.addr, ip6.addr, vnet.interface, zfs.dataset).
        let split = try CommandLineParams.parse(["name=x", "persist", "ip4.addr=10.0.0.1,10.0.0.2"])
        let repeated = try CommandLineParams.parse(["name=x", "persist", "ip4.addr=10.0.0.1", "ip4.addr=10.0.0.2"])
        #expect(split.strings("ip4.addr") == ["10.0.0.1", "10.0.0.2"])
        #expect(repeated.strings("ip4.addr") == split.strings("ip4.addr"))
        // A command may contain commas: never split.
        let commands = try CommandLineParams.parse([
            "name=x", "persist", "exec.start=echo a,b", "mount=tmpfs /t tmpfs rw,size=1g 0 0",
        ])
        #expect(commands.strings("exec.start") == ["echo a,b"])
        #expect(commands.strings("mount") == ["tmpfs /t tmpfs rw,size=1g 0 0"])
        // Repeated words append (JC: PF_APPEND); for a single-valued parameter the last counts.
        let twice = try CommandLineParams.parse([
            "name=x", "persist", "exec.start=a", "exec.start=b", "path=/a", "path=/b",
        ])
        #expect(twice.strings("exec.start") == ["a", "b"])
        #expect(twice.string("path") == "/b")
    }

    @Test func booleanWords() throws {
        // J8: booleans "are set by the name alone with or without a no prefix", or true/false.
        let params = try CommandLineParams.parse([
            "name=x", "persist", "allow.noraw_sockets", "mount.nodevfs", "exec.clean=true", "ip4.saddrsel=0",
        ])
        #expect(params.bool("persist") == true)
        #expect(params.bool("allow.raw_sockets") == false)
        #expect(params.bool("mount.devfs") == false)
        #expect(params.bool("exec.clean") == true)
        #expect(params.bool("ip4.saddrsel") == false)
        // libjail turns a false "no" boolean into its positive form: allow.nomount=false is
        // allow.mount, which is refused.
        #expect(params.bool("allow.mount") == nil)
        #expect(
            failure { _ = try CommandLineParams.parse(["name=x", "persist", "allow.nomount=false"]) }?.kind == .refused)
        // The last word wins.
        #expect(try CommandLineParams.parse(["name=x", "persist", "nopersist"]).bool("persist") == false)
        #expect(try CommandLineParams.parse(["name=x", "nopersist", "persist"]).bool("persist") == true)
    }

    @Test func appendWord() throws {
        let params = try CommandLineParams.parse(["name=x", "persist", "ip4.addr=10.0.0.1", "ip4.addr+=10.0.0.2"])
        #expect(params.strings("ip4.addr") == ["10.0.0.1", "10.0.0.2"])
    }

    @Test func nameAndJid() throws {
        let jidOnly = try CommandLineParams.parse(["jid=42", "persist"])
        #expect(jidOnly.jid == 42 && jidOnly.name == "42")
        #expect(jidOnly.configName == nil && jidOnly.definedAt == nil)
        let both = try CommandLineParams.parse(["jid=42", "name=web", "persist"])
        #expect(both.jid == 42 && both.name == "web")
        #expect(
            failure { _ = try CommandLineParams.parse(["name=123", "persist"]) }?.message
                == #"name: "123" cannot be numeric unless it is the jid"#)
        #expect(try CommandLineParams.parse(["name=123", "jid=123", "persist"]).name == "123")
    }

    @Test func relativePathsAreLeftToTheCaller() throws {
        // JC set_param resolves a command-line path against the current directory; that is the
        // CLI's business, so a relative path passes here (but not in a file, see the errors).
        #expect(try CommandLineParams.parse(["name=x", "path=jails/x", "persist"]).string("path") == "jails/x")
    }

    @Test func errorsNameTheWord() {
        let error = failure { _ = try CommandLineParams.parse(["name=www", "persist", "alow.raw_sockets"]) }
        #expect(
            error?.description
                == #"command line word 3: www: unknown parameter "alow.raw_sockets" (did you mean allow.raw_sockets?)"#)
        #expect(failure { _ = try CommandLineParams.parse(["=x"]) }?.message == #"empty parameter name in "=x""#)
        #expect(
            failure { _ = try CommandLineParams.parse(["persist", "children.max=many"]) }?.description
                == #"command line word 2: children.max: non-integer value "many""#)
        #expect(failure { _ = try CommandLineParams.parse(["$x=1"]) }?.kind == .unknownParameter)
    }

    @Test func overridesBeatTheFile() throws {
        // STYLE "Config language": a value given on the command line is never overridden by the
        // file, not even by a wildcard section below every jail.
        let text = """
            * { path = /default; exec.start = "/bin/sh /etc/rc"; persist; }
            www { ip4.addr = 10.0.0.1; }
            * { stop.timeout = 5; }
            """
        let www = try jail(
            "www", in: text,
            overrides: [
                "stop.timeout=30", "path=/override", "ip4.addr+=10.0.0.2", "exec.start=a", "exec.start=b", "nopersist",
            ])
        #expect(www.int("stop.timeout") == 30)
        #expect(www.string("path") == "/override")
        // `+=` appends to the file's list; a repeated word appends to the command line's own.
        #expect(www.strings("ip4.addr") == ["10.0.0.1", "10.0.0.2"])
        #expect(www.strings("exec.start") == ["a", "b"])
        #expect(www.bool("persist") == false)
        #expect(
            failure { _ = try jail("www", in: text, overrides: ["name=other"]) }?.message
                == #"cannot redefine parameter "name""#)
    }

    @Test func overridesApplyToNamedJailsOnly() throws {
        let text = "db { path = /db; persist; } www { depend = db; path = /www; persist; }"
        let jails = try conf(text).resolve(["www"], overrides: ["stop.timeout=1"], forRemoval: false)
        #expect(jails.map(\.name) == ["db", "www"])
        #expect(jails[0].int("stop.timeout") == nil)
        #expect(jails[1].int("stop.timeout") == 1)
        #expect(jails[0].implicitlySelected && !jails[1].implicitlySelected)
    }
}
