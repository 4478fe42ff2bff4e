import Testing

@testable import JailMounts

@Suite struct RelativeTargetTests {
    @Test func insideTheJail() throws {
        #expect(try Fstab.relativeTarget("/jails/www/usr/ports", jailPath: "/jails/www") == "usr/ports")
        #expect(try Fstab.relativeTarget("/jails/www", jailPath: "/jails/www") == "")
        #expect(try Fstab.relativeTarget("/jails/www/", jailPath: "/jails/www") == "")
        #expect(try Fstab.relativeTarget("/jails/www", jailPath: "/jails/www/") == "")
        #expect(try Fstab.relativeTarget("/jails/www/usr/ports/", jailPath: "/jails/www/") == "usr/ports")
        #expect(try Fstab.relativeTarget("//jails///www//usr//ports//", jailPath: "/jails//www") == "usr/ports")
        #expect(try Fstab.relativeTarget("/jails/www/./usr/./ports", jailPath: "/jails/./www") == "usr/ports")
        #expect(try Fstab.relativeTarget("/usr/ports", jailPath: "/") == "usr/ports")
        #expect(try Fstab.relativeTarget("/", jailPath: "/") == "")
        #expect(try Fstab.relativeTarget("/jails/www/a b/c", jailPath: "/jails/www") == "a b/c")
    }

    @Test func outsideTheJail() {
        let outside = failure { _ = try Fstab.relativeTarget("/jails/wwwx/usr", jailPath: "/jails/www") }
        #expect(
            outside?.description
                == #"mount target "/jails/wwwx/usr" is outside the jail's path "/jails/www"; give a path under it"#)
        #expect(outside?.kind == .path)
        #expect(
            failure { _ = try Fstab.relativeTarget("/jails", jailPath: "/jails/www") }?.description
                == #"mount target "/jails" is outside the jail's path "/jails/www"; give a path under it"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("/", jailPath: "/jails/www") }?.description
                == #"mount target "/" is outside the jail's path "/jails/www"; give a path under it"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("/jail", jailPath: "/jails/www") }?.description
                == #"mount target "/jail" is outside the jail's path "/jails/www"; give a path under it"#)
    }

    @Test func dotDotAndRelativePaths() throws {
        #expect(
            failure { _ = try Fstab.relativeTarget("/jails/www/../etc", jailPath: "/jails/www") }?.description
                == #"mount target "/jails/www/../etc" contains ".."; give the path without it"#)
        // Even a ".." that would stay inside is refused: it is resolved on the host.
        #expect(
            failure { _ = try Fstab.relativeTarget("/jails/www/usr/../var", jailPath: "/jails/www") }?.description
                == #"mount target "/jails/www/usr/../var" contains ".."; give the path without it"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("/jails/www/x", jailPath: "/jails/www/..") }?.description
                == #"jail path "/jails/www/.." contains ".."; give the path without it"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("usr/ports", jailPath: "/jails/www") }?.description
                == #"mount target "usr/ports" is not an absolute path; give it from /"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("/jails/www/x", jailPath: "jails/www") }?.description
                == #"jail path "jails/www" is not an absolute path; give it from /"#)
        #expect(
            failure { _ = try Fstab.relativeTarget("", jailPath: "/jails/www") }?.description
                == #"mount target "" is not an absolute path; give it from /"#)
        // "..." and "..x" are names, not "..".
        #expect(try Fstab.relativeTarget("/jails/www/.../..x", jailPath: "/jails/www") == ".../..x")
    }
}
