import Testing

@testable import JailConf

/// `depend` (J8, FJ §1.7; ST dep_setup, dep_check).
@Suite struct DependencyTests {
    static let stack = """
        * { path = "/jails/$name"; persist; }
        web { depend = db, cache; }
        db {}
        cache { depend = db; }
        other {}
        """

    @Test func creationStartsDependenciesFirst() throws {
        // J8: "When this jail is to be created, any jail(s) it depends on must already exist. If
        // not, they will be created automatically".
        let jails = try conf(Self.stack).resolve(["web"], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["db", "cache", "web"])
        #expect(jails.map(\.implicitlySelected) == [true, true, false])
    }

    @Test func allJailsInDependencyOrderThenFileOrder() throws {
        let jails = try conf(Self.stack).resolve([], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["db", "cache", "web", "other"])
    }

    @Test func removalIsReversedAndTakesDependents() throws {
        // J8: "When jails are removed the opposite is true: this jail will be removed ... before
        // any jail(s) it depends on are stopped"; ST dep_check marks the dependents for stopping.
        let file = try conf(Self.stack)
        #expect(try file.resolve([], overrides: [], forRemoval: true).map(\.name) == ["other", "web", "cache", "db"])
        let db = try file.resolve(["db"], overrides: [], forRemoval: true)
        #expect(db.map(\.name) == ["web", "cache", "db"])
        #expect(db.map(\.implicitlySelected) == [true, true, false])
        #expect(try file.resolve(["web"], overrides: [], forRemoval: true).map(\.name) == ["web"])
    }

    @Test func dependencyLoop() {
        // ST dep_setup: "dependency loop".
        let text =
            "a { persist; depend = b; }\nb { persist; depend = c; }\nc { persist;\n  depend = a; }\nd { persist; }"
        let error = failure { _ = try conf(text).resolve([], overrides: [], forRemoval: false) }
        #expect(error?.kind == .dependency)
        #expect(error?.description == "/test/jail.conf line 1 column 23: a: dependency loop: a -> b -> c -> a")
        #expect(failure { _ = try jail("a", in: "a { persist; depend = a; }") }?.message == "dependency loop: a -> a")
    }

    @Test func undefinedDependency() {
        // ST dep_setup: "depends on undefined jail \"%s\"".
        let error = failure { _ = try jail("web", in: "web { persist; depend = dbb; }") }
        #expect(error?.description == #"/test/jail.conf line 1 column 25: web: depends on undefined jail "dbb""#)
    }

    @Test func dependencyOnAVariable() throws {
        let text = #"$backend = db; web { persist; depend = $backend; } db { persist; }"#
        #expect(try conf(text).resolve(["web"], overrides: [], forRemoval: false).map(\.name) == ["db", "web"])
    }

    @Test func aChildComesAfterItsParent() throws {
        // ST: "A jail has an implied dependency on its parent." (Creating children is refused,
        // but removal order and -e still see them.)
        let file = try conf("a.b { persist; }\na { persist; }")
        #expect(try file.resolve([], overrides: [], forRemoval: true).map(\.name) == ["a.b", "a"])
    }

    @Test func manyJailsOrderQuickly() throws {
        var text = "* { path = /; persist; }\n"
        for index in 0..<500 {
            text += "j\(index) { depend = j\(index + 1); }\n"
        }
        text += "j500 {}\n"
        let jails = try conf(text).resolve(["j0"], overrides: [], forRemoval: false)
        #expect(jails.count == 501)
        #expect(jails.first?.name == "j500" && jails.last?.name == "j0")
    }
}
