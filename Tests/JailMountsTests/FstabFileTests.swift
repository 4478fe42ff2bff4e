import Testing

@testable import JailMounts

/// mount.fstab files, read as CFG reads them: a `#` anywhere ends the line's text.
@Suite struct FstabFileTests {
    @Test func handbookFileWithComments() throws {
        let text = """
            # /usr/local/jails/thinjail-nullfs-base.fstab
            /usr/local/jails/templates/14.2-RELEASE-base  /usr/local/jails/thinjail-nullfs-base/ nullfs   ro          0 0

            \t/usr/local/jails/containers/thinjail     /usr/local/jails/thinjail-nullfs-base/skeleton nullfs  rw  0 0 # per-jail
               # an indented comment
            tmpfs /usr/local/jails/thinjail-nullfs-base/tmp tmpfs rw,mode=1777,noauto
            """
        let entries = try Fstab.parseFile(text, path: "/usr/local/jails/thinjail-nullfs-base.fstab")
        #expect(
            entries.map(\.target) == [
                "/usr/local/jails/thinjail-nullfs-base/", "/usr/local/jails/thinjail-nullfs-base/skeleton",
                "/usr/local/jails/thinjail-nullfs-base/tmp",
            ])
        #expect(entries.map(\.readOnly) == [true, false, false])
        // The noauto line is mounted, as jail(8) mounts it (see FstabLineTests).
        #expect(entries[2].kind == .tmpfs(options: ["mode=1777"]))
        #expect(try Fstab.parseFile("", path: "f").isEmpty)
        #expect(try Fstab.parseFile("\n\n# nothing\n   \n", path: "f").isEmpty)
    }

    /// jail(8) cuts at the first `#` even inside a field: write `\043` for a `#` in a path.
    @Test func hashInsideAField() throws {
        #expect(
            failure { _ = try Fstab.parseFile("/data/a#b /j/x nullfs ro", path: "f") }?.description
                == #"f:1: mount line "/data/a": missing information; give "source target type [options]""#)
        #expect(try Fstab.parseFile(#"/data/a\043b /j/x nullfs ro"#, path: "f")[0].source == "/data/a#b")
        #expect(try Fstab.parseFile("/src /j/dst nullfs ro#,nosuid", path: "f")[0].noSuid == false)
    }

    @Test func errorsNameFileAndLine() {
        let text = """
            # thin jail
            /base /jails/www nullfs ro 0 0

            /data /jails/www/data zfs rw 0 0
            """
        let error = failure { _ = try Fstab.parseFile(text, path: "/etc/fstab.www") }
        #expect(
            error?.description
                == #"/etc/fstab.www:4: file system type "zfs" cannot be mounted by a Linux jail; mount it on the host and bind it with nullfs (jails mount nullfs (or bind, rbind), tmpfs, procfs, linprocfs, fdescfs, linsysfs, devfs)"#
        )
        #expect(error?.file == "/etc/fstab.www")
        #expect(error?.line == 4)
        #expect(error?.kind == .unsupported)
    }

    @Test func windowsLineEndingsCountAsOneLine() {
        let text = "/a /j/a nullfs ro\r\n\r\n/b /j/b nullfs ro\r\ntmpfs /j/t tmpfs bogus\r\n"
        #expect(
            failure { _ = try Fstab.parseFile(text, path: "f") }?.description
                == #"f:4: unknown mount option "bogus" for tmpfs; tmpfs takes size, inodes, mode, uid, gid and ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"#
        )
    }

    @Test func pathWithControlCharactersIsQuoted() {
        #expect(
            failure { _ = try Fstab.parseFile("a b", path: "my\nfile") }?.description
                == #""my\nfile":1: mount line "a b": missing information; give "source target type [options]""#)
    }
}
