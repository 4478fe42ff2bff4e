import Testing

@testable import JailConf

/// `$var` and `${param}` substitution (CC load_config).
@Suite struct VariableTests {
    @Test func substitutionIsPerJailEvenFromWildcards() throws {
        // JC5: "Variable substitution is done on a per-jail basis, even when that substitution
        // is for a parameter defined in a wildcard section."
        let text = """
            $base = /jails;
            * { path = "$base/$name"; host.hostname = "${name}.example.org"; persist; }
            www {}
            db { $base = /srv; }
            """
        #expect(try jail("www", in: text).string("path") == "/jails/www")
        #expect(try jail("db", in: text).string("path") == "/srv/db")
        #expect(try jail("db", in: text).string("host.hostname") == "db.example.org")
    }

    @Test func referencesSeeTheFinalValue() throws {
        // CC substitutes after every statement is collected, so a reference sees the value the
        // jail ends up with, wherever it was set.
        let text = #"$dir = /a; j { path = "$dir"; persist; } $dir = /b;"#
        // The global pseudo-jail is created by the first global statement, before j, so j's
        // own statements come after it; the second $dir joins the pseudo-jail (JP 2025).
        #expect(try jail("j", in: text).string("path") == "/b")
        #expect(try jail("j", in: #"j { path = "$dir"; $dir = /late; persist; }"#).string("path") == "/late")
    }

    @Test func parametersCanBeReferenced() throws {
        let jail = try jail(
            "j", in: #"j { host.hostname = h; exec.start = "echo ${host.hostname} $path"; path = /p; persist; }"#)
        #expect(jail.strings("exec.start") == ["echo h /p"])
    }

    @Test func referencedParametersMoveFirst() throws {
        // CC: a parameter whose value needs substituting is resolved first and moved in front
        // of the one that refers to it (TAILQ_INSERT_BEFORE), which shows in `jail -e`.
        let text = #"foo { path = "/j/${host.hostname}"; host.hostname = "${name}.example"; persist; }"#
        #expect(try exhibit(text) == "name=foo|host.hostname=foo.example|path=/j/foo.example|persist\n")
        #expect(try jail("foo", in: text).entries.map(\.name) == ["name", "host.hostname", "path", "persist"])
    }

    @Test func listsExpandWhenAlone() throws {
        // CC: a list value substituted as a whole value yields every element...
        let text = #"$addrs = 10.0.0.1, 10.0.0.2; j { ip4.addr = $addrs, 10.0.0.3; persist; }"#
        #expect(try jail("j", in: text).strings("ip4.addr") == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        // ...also after variables that are empty, as long as nothing else is in the string.
        let quoted = #"$e = ""; $l = a, b; j { depend = "${e}${l}"; persist; } a { persist; } b { persist; }"#
        #expect(try jail("j", in: quoted).strings("depend") == ["a", "b"])
    }

    @Test func listsCannotBeSubstitutedInline() {
        // CC: "array cannot be substituted inline".
        let error = failure { _ = try jail("j", in: #"$l = a, b; j { path = "/x/$l"; persist; }"#) }
        #expect(error?.description == "/test/jail.conf line 1 column 27: j: path: array cannot be substituted inline")
    }

    @Test func undefinedVariable() {
        // CC: jail_warnx(j, "%s: variable \"%s\" not found", p->name, v->name).
        let error = failure { _ = try jail("www", in: "www {\n  path = \"/jails/${nme}\";\n  persist;\n}") }
        #expect(error?.description == #"/test/jail.conf line 2 column 18: www: path: variable "nme" not found"#)
        #expect(error?.kind == .variable)
        // A boolean set without a value has no value to substitute.
        #expect(
            failure { _ = try jail("j", in: #"j { persist; path = "/$persist"; }"#) }?.message
                == #"path: variable "persist" not found"#)
        // An unused variable that refers to nothing is still an error, as in FreeBSD.
        #expect(failure { _ = try jail("j", in: #"$x = "$nothing"; j { persist; }"#) } != nil)
    }

    @Test func variableLoops() {
        // CC: "variable loop".
        let error = failure { _ = try jail("j", in: "j { $a = \"$b\"; $b = \"$a\"; persist; }") }
        #expect(error?.message.hasSuffix("variable loop") == true)
        #expect(failure { _ = try jail("j", in: #"j { path = "$path"; }"#) }?.message == "path: variable loop")
    }

    @Test func variablesAreNeverParameters() {
        // JC5: variables "are only used for substitution"; CC refuses a variable named like a
        // parameter: "variable \"$%s\" cannot have the same name as a parameter."
        #expect(
            failure { _ = try jail("j", in: "j { $path = /x; persist; }") }?.message
                == #"variable "$path" cannot have the same name as a parameter"#)
        #expect(
            failure { _ = try jail("j", in: "j { $name = x; }") }?.message
                == #"variable "$name" cannot have the same name as a parameter"#)
        #expect(
            failure { _ = try jail("j", in: "$foo = 1; j { foo = 2; }") }?.message
                == #"variable "$foo" cannot have the same name as a parameter"#)
    }

    @Test func variableDefinitionForms() throws {
        // JP: `name : VAR` — `$x`, `${x}` and the `name value` form all define variables.
        let jail = try jail("j", in: #"j { ${a} = 1; $b 2; $c += 3; exec.start = "$a$b$c"; persist; }"#)
        #expect(jail.strings("exec.start") == ["123"])
    }

    @Test func exponentialGrowthIsBounded() {
        var text = "$a0 = \"xxxxxxxxxxxxxxxx\";\n"
        for level in 1...40 {
            text += "$a\(level) = \"$a\(level - 1)$a\(level - 1)\";\n"
        }
        text += "j { path = \"/$a40\"; persist; }"
        #expect(failure { _ = try jail("j", in: text) }?.message.hasSuffix("value too long") == true)
    }

    @Test func deepChainsAreBounded() {
        // Defined last-first, so resolving the first needs the whole chain at once.
        var text = ""
        for level in (1...400).reversed() {
            text += "$v\(level) = \"$v\(level - 1)\";\n"
        }
        text += "$v0 = end;\nj { path = \"/$v400\"; persist; }"
        #expect(failure { _ = try jail("j", in: text) }?.message == "variables nested too deeply")
    }
}
