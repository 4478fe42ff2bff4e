import Testing

@testable import JailMounts

/// `mount` parameter values: one fstab line each (CMD).
@Suite struct FstabLineTests {
    /// HB "Creating a Thin Jail Using NullFS": the read-only template and the read-write
    /// skeleton, as /usr/local/jails/thinjail-nullfs-base.fstab has them.
    @Test func handbookThinJail() throws {
        let base = try Fstab.parseLine(
            "/usr/local/jails/templates/14.2-RELEASE-base  /usr/local/jails/thinjail-nullfs-base/ nullfs   ro          0 0"
        )
        #expect(
            base
                == MountEntry(
                    source: "/usr/local/jails/templates/14.2-RELEASE-base",
                    target: "/usr/local/jails/thinjail-nullfs-base/", type: "nullfs",
                    kind: .bind(readOnly: true, recursive: false), readOnly: true, options: ["ro"]))
        let skeleton = try Fstab.parseLine(
            "/usr/local/jails/containers/thinjail     /usr/local/jails/thinjail-nullfs-base/skeleton nullfs  rw  0 0")
        #expect(
            skeleton
                == MountEntry(
                    source: "/usr/local/jails/containers/thinjail",
                    target: "/usr/local/jails/thinjail-nullfs-base/skeleton", type: "nullfs",
                    kind: .bind(readOnly: false, recursive: false), options: ["rw"]))
        // path = "/usr/local/jails/${name}-nullfs-base": the template is the jail's root.
        let path = "/usr/local/jails/thinjail-nullfs-base"
        #expect(try Fstab.relativeTarget(base.target, jailPath: path) == "")
        #expect(try Fstab.relativeTarget(skeleton.target, jailPath: path) == "skeleton")
    }

    /// HB "Creating a Linux Jail": the `mount +=` lines of the ubuntu jail, with $path
    /// expanded as jail.conf expands it.
    @Test func handbookLinuxJail() throws {
        let p = "/usr/local/jails/containers/ubuntu"
        let devfs = try Fstab.parseLine("devfs     \(p)/compat/ubuntu/dev     devfs     rw  0 0")
        #expect(devfs.kind == .devfs(ruleset: nil))
        #expect(devfs.source == "devfs" && devfs.target == "\(p)/compat/ubuntu/dev" && !devfs.readOnly)

        let shm = try Fstab.parseLine("tmpfs     \(p)/compat/ubuntu/dev/shm tmpfs     rw,size=1g,mode=1777  0 0")
        #expect(
            shm
                == MountEntry(
                    source: "tmpfs", target: "\(p)/compat/ubuntu/dev/shm", type: "tmpfs",
                    kind: .tmpfs(options: ["size=1073741824", "mode=1777"]),
                    options: ["rw", "size=1g", "mode=1777"]))

        let fd = try Fstab.parseLine("fdescfs   \(p)/compat/ubuntu/dev/fd  fdescfs   rw,linrdlnk 0 0")
        #expect(fd.kind == .fdescfs && fd.options == ["rw", "linrdlnk"])

        let proc = try Fstab.parseLine("linprocfs \(p)/compat/ubuntu/proc    linprocfs rw  0 0")
        #expect(proc.kind == .proc && proc.type == "linprocfs" && !proc.readOnly)

        // linsysfs is read-only in a Linux jail even when the line says rw.
        let sys = try Fstab.parseLine("linsysfs  \(p)/compat/ubuntu/sys     linsysfs  rw  0 0")
        #expect(sys.kind == .sysfs && sys.readOnly)

        let tmp = try Fstab.parseLine("/tmp      \(p)/compat/ubuntu/tmp     nullfs    rw  0 0")
        #expect(tmp.kind == .bind(readOnly: false, recursive: false) && tmp.source == "/tmp")
        let home = try Fstab.parseLine("/home     \(p)/compat/ubuntu/home    nullfs    rw  0 0")
        #expect(home.source == "/home" && home.target == "\(p)/compat/ubuntu/home")
    }

    /// CMD keeps the first four fields: dump and pass are optional and ignored, as is
    /// anything after them; three fields mean no options, which mount(8) takes as rw.
    @Test func fieldCounts() throws {
        let three = try Fstab.parseLine("proc /j/proc procfs")
        #expect(three == MountEntry(source: "proc", target: "/j/proc", type: "procfs", kind: .proc))
        let four = try Fstab.parseLine("proc /j/proc procfs ro")
        #expect(four.readOnly && four.options == ["ro"])
        #expect(try Fstab.parseLine("proc /j/proc procfs ro 0") == four)
        #expect(try Fstab.parseLine("proc /j/proc procfs ro 0 0") == four)
        #expect(try Fstab.parseLine("proc /j/proc procfs ro 0 0 anything else") == four)
        #expect(try Fstab.parseLine("proc /j/proc procfs ro x y") == four)

        #expect(
            lineError("tmpfs /j/tmp")
                == #"mount line "tmpfs /j/tmp": missing information; give "source target type [options]""#)
        #expect(
            lineError("/j") == #"mount line "/j": missing information; give "source target type [options]""#)
        #expect(lineError("") == #"empty mount line; give "source target type [options]""#)
        #expect(lineError(" \t ") == #"empty mount line; give "source target type [options]""#)
        #expect(failure { _ = try Fstab.parseLine("tmpfs /j/tmp") }?.kind == .syntax)
    }

    /// CMD splits with strtok on blank, tab, form feed, vertical tab, CR and LF.
    @Test func fieldSeparators() throws {
        let expected = MountEntry(
            source: "tmpfs", target: "/j/tmp", type: "tmpfs", kind: .tmpfs(options: []), options: ["rw"])
        #expect(try Fstab.parseLine("tmpfs\t/j/tmp\ttmpfs\trw") == expected)
        #expect(try Fstab.parseLine("  tmpfs \u{0B}/j/tmp\u{0C} tmpfs  rw\r\n") == expected)
    }

    /// CMD decodes the source and target with strunvis(3); the type and options stay as
    /// written.
    @Test func escapesInPaths() throws {
        let spaced = try Fstab.parseLine(#"/data/my\040files /jails/www/srv/my\sfiles nullfs ro"#)
        #expect(spaced.source == "/data/my files")
        #expect(spaced.target == "/jails/www/srv/my files")
        #expect(try Fstab.parseLine(#"/data/a\\b /j/x nullfs ro"#).source == #"/data/a\b"#)
        #expect(try Fstab.parseLine(#"/data/caf\303\251 /j/x nullfs ro"#).source == "/data/café")
        #expect(try Fstab.parseLine(#"/data/tab\tname /j/x nullfs ro"#).source == "/data/tab\tname")

        #expect(
            lineError(#"/data/a\qb /j/x nullfs ro"#)
                == #"mount line "/data/a\\qb /j/x nullfs ro": bad escape in "/data/a\\qb"; write a space as \040 and a backslash as \\"#
        )
        #expect(
            lineError(#"/data/a\000b /j/x nullfs ro"#)
                == #"mount line "/data/a\\000b /j/x nullfs ro": "/data/a\\000b" decodes to a NUL byte, which no path can hold"#
        )
        #expect(
            lineError(#"/data/\377 /j/x nullfs ro"#)
                == #"mount line "/data/\\377 /j/x nullfs ro": "/data/\\377" does not decode to UTF-8 text"#)
        // Options are not decoded: "\040" there is four characters.
        #expect(
            lineError(#"tmpfs /j/tmp tmpfs mode=\040"#)
                == #"invalid tmpfs mode "\\040"; use an octal mode from 0 to 7777, as in 1777"#)
    }

    @Test func bindTypes() throws {
        #expect(try Fstab.parseLine("/src /j/dst nullfs ro").kind == .bind(readOnly: true, recursive: false))
        #expect(try Fstab.parseLine("/src /j/dst none bind").kind == .bind(readOnly: false, recursive: false))
        #expect(try Fstab.parseLine("/src /j/dst none rbind,ro").kind == .bind(readOnly: true, recursive: true))
        #expect(try Fstab.parseLine("/src /j/dst bind ro").kind == .bind(readOnly: true, recursive: false))
        #expect(try Fstab.parseLine("/src /j/dst rbind rw").kind == .bind(readOnly: false, recursive: true))
        #expect(try Fstab.parseLine("/src /j/dst nullfs rbind").kind == .bind(readOnly: false, recursive: true))
        // The rightmost of bind and rbind wins, as with every pair of options.
        #expect(try Fstab.parseLine("/src /j/dst none rbind,bind").kind == .bind(readOnly: false, recursive: false))
        #expect(try Fstab.parseLine("/src /j/dst nullfs nocache,cache").options == ["nocache", "cache"])

        #expect(
            lineError("/src /j/dst none ro") == #"mount type "none" needs the bind or rbind option, as in "none bind""#)
        #expect(
            lineError("src /j/dst nullfs ro")
                == #"nullfs source "src" is not an absolute path; give the host directory to bind"#)
        #expect(failure { _ = try Fstab.parseLine("src /j/dst nullfs ro") }?.kind == .path)
        #expect(
            lineError("/src j/dst nullfs ro")
                == #"mount target "j/dst" is not an absolute path; give the host path under the jail's path"#)
        // A pseudo file system's source is only a name.
        #expect(try Fstab.parseLine("anything /j/proc proc").source == "anything")
    }

    @Test func pseudoFileSystems() throws {
        for type in ["procfs", "linprocfs", "proc"] {
            #expect(try Fstab.parseLine("proc /j/proc \(type) rw").kind == .proc)
        }
        for type in ["linsysfs", "sysfs"] {
            let entry = try Fstab.parseLine("sys /j/sys \(type)")
            #expect(entry.kind == .sysfs && entry.readOnly)
        }
        #expect(try Fstab.parseLine("fdesc /j/dev/fd fdescfs rw,nodup,rdlnk").kind == .fdescfs)
        #expect(try Fstab.parseLine("devfs /j/dev devfs ruleset=5").kind == .devfs(ruleset: 5))
        #expect(try Fstab.parseLine("devfs /j/dev devfs ruleset=0").kind == .devfs(ruleset: 0))
        #expect(
            lineError("devfs /j/dev devfs ruleset=70000")
                == #"invalid devfs ruleset "70000"; use a number from 0 to 65535"#)
        #expect(lineError("devfs /j/dev devfs ruleset") == #"devfs option "ruleset" needs a value, as in ruleset=4"#)
        #expect(
            lineError("proc /j/proc procfs linrdlnk")
                == #"unknown mount option "linrdlnk" for procfs; procfs takes ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"#
        )
    }

    /// Block-device and network file systems are refused by name, with what to do.
    @Test func unsupportedTypes() {
        let supported = "nullfs (or bind, rbind), tmpfs, procfs, linprocfs, fdescfs, linsysfs, devfs"
        for type in ["zfs", "ufs", "ext4", "nfs", "msdosfs", "unionfs", "NULLFS"] {
            let error = failure { _ = try Fstab.parseLine("src /j/x \(type) rw") }
            #expect(
                error?.description
                    == "file system type \"\(type)\" cannot be mounted by a Linux jail; mount it on the host and bind it with nullfs (jails mount \(supported))"
            )
            #expect(error?.kind == .unsupported)
        }
    }

    /// MNTOPTS: the common flags, matched without regard to case; the rightmost wins.
    @Test func commonOptions() throws {
        let entry = try Fstab.parseLine("/src /j/dst nullfs ro,nosuid,noexec,nodev,nosymfollow,noatime")
        #expect(entry.readOnly && entry.noSuid && entry.noExec && entry.noDev && entry.noSymFollow && entry.noAtime)
        let undone = try Fstab.parseLine(
            "/src /j/dst nullfs ro,nosuid,noexec,nodev,nosymfollow,noatime,rw,suid,exec,dev,symfollow,atime")
        #expect(
            !undone.readOnly && !undone.noSuid && !undone.noExec && !undone.noDev && !undone.noSymFollow
                && !undone.noAtime)
        #expect(try Fstab.parseLine("/src /j/dst nullfs rw,ro").readOnly)
        #expect(try Fstab.parseLine("/src /j/dst nullfs rdonly").kind == .bind(readOnly: true, recursive: false))
        #expect(try Fstab.parseLine("/src /j/dst nullfs RO,NoSuid").noSuid)
        // Empty items are skipped, as mount(8) skips them; "as written" keeps the others.
        #expect(try Fstab.parseLine("/src /j/dst nullfs ,ro,,nosuid,").options == ["ro", "nosuid"])
    }

    /// noauto, late, auto and failok steer `mount -a`; jail(8) runs mount(8) with source and
    /// target given, which mounts the line anyway, so these lines are mounted here too.
    @Test func mountDashAOptionsDoNothing() throws {
        let plain = try Fstab.parseLine("/src /j/dst nullfs ro")
        for option in ["noauto", "late", "auto", "failok"] {
            var entry = try Fstab.parseLine("/src /j/dst nullfs ro,\(option)")
            entry.options = plain.options
            #expect(entry == plain)
        }
    }

    @Test func optionErrors() {
        #expect(
            lineError("/src /j/dst nullfs ro,frobnicate")
                == #"unknown mount option "frobnicate" for nullfs; nullfs takes bind, rbind, cache, nocache and ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"#
        )
        #expect(
            lineError("tmpfs /j/tmp tmpfs nr_inodes=10")
                == #"unknown mount option "nr_inodes" for tmpfs; tmpfs takes size, inodes, mode, uid, gid and ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"#
        )
        #expect(
            lineError("/src /j/dst nullfs union")
                == #"mount option "union" has no counterpart in a Linux jail; remove it"#)
        #expect(failure { _ = try Fstab.parseLine("/src /j/dst nullfs union") }?.kind == .unsupported)
        #expect(
            lineError("/src /j/dst nullfs sync")
                == #"mount option "sync" has no counterpart in a Linux jail; remove it"#)
        #expect(lineError("/src /j/dst nullfs ro=1") == #"mount option "ro=1" takes no value; write "ro""#)
        #expect(lineError("/src /j/dst nullfs rbind=yes") == #"mount option "rbind=yes" takes no value; write "rbind""#)
        // tmpfs's own options are case-sensitive, as the kernel's option names are.
        #expect(
            lineError("tmpfs /j/tmp tmpfs SIZE=1g")
                == #"unknown mount option "SIZE" for tmpfs; tmpfs takes size, inodes, mode, uid, gid and ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"#
        )
    }

    /// TMPFS and VFS: size and inodes take strtoq's base-0 numbers and one k, m, g or t
    /// suffix; mode is octal; uid and gid decimal. FreeBSD names map to Linux's.
    @Test func tmpfsOptions() throws {
        func options(_ field: String) throws -> [String] {
            guard case .tmpfs(let options) = try Fstab.parseLine("tmpfs /j/tmp tmpfs \(field)").kind else {
                return []
            }
            return options
        }
        #expect(try options("size=512") == ["size=512"])
        #expect(try options("size=64k") == ["size=65536"])
        #expect(try options("size=64K") == ["size=65536"])
        #expect(try options("size=2m") == ["size=2097152"])
        #expect(try options("size=1t") == ["size=1099511627776"])
        #expect(try options("size=0x1000") == ["size=4096"])
        #expect(try options("size=010") == ["size=8"])
        #expect(try options("size=0") == ["size=0"])
        #expect(try options("inodes=10k") == ["nr_inodes=10240"])
        #expect(try options("mode=01777") == ["mode=1777"])
        #expect(try options("mode=755") == ["mode=755"])
        #expect(try options("uid=1001,gid=80") == ["uid=1001", "gid=80"])
        // Linux's order, whatever the order written; the last value of each wins.
        #expect(
            try options("gid=5,mode=700,uid=4,inodes=100,size=1m,size=2m")
                == ["size=2097152", "nr_inodes=100", "mode=700", "uid=4", "gid=5"])

        for bad in ["1p", "1.5g", "-1", "1kb", "k", "08", "0x", "99999999999999999999"] {
            #expect(
                lineError("tmpfs /j/tmp tmpfs size=\(bad)")
                    == "invalid tmpfs size \"\(bad)\"; use a number with an optional k, m, g or t suffix")
        }
        #expect(
            lineError("tmpfs /j/tmp tmpfs size=16777216t")
                == #"invalid tmpfs size "16777216t"; use a number with an optional k, m, g or t suffix"#)
        #expect(lineError("tmpfs /j/tmp tmpfs size=") == #"tmpfs option "size" needs a value, as in size=1g"#)
        #expect(lineError("tmpfs /j/tmp tmpfs size") == #"tmpfs option "size" needs a value, as in size=1g"#)
        #expect(
            lineError("tmpfs /j/tmp tmpfs inodes=many")
                == #"invalid tmpfs inodes "many"; use a number with an optional k, m, g or t suffix"#)
        for bad in ["999", "17777", "rwx", ""] {
            let expected =
                bad.isEmpty
                ? #"tmpfs option "mode" needs a value, as in mode=1777"#
                : "invalid tmpfs mode \"\(bad)\"; use an octal mode from 0 to 7777, as in 1777"
            #expect(lineError("tmpfs /j/tmp tmpfs mode=\(bad)") == expected)
        }
        #expect(lineError("tmpfs /j/tmp tmpfs uid=www") == #"invalid tmpfs uid "www"; use a number"#)
        #expect(lineError("tmpfs /j/tmp tmpfs gid=-1") == #"invalid tmpfs gid "-1"; use a number"#)
        #expect(lineError("tmpfs /j/tmp tmpfs uid=4294967295") == #"invalid tmpfs uid "4294967295"; use a number"#)
        for unsupported in ["maxfilesize=1m", "easize=1m", "nonc", "nomtime", "pgread"] {
            #expect(
                lineError("tmpfs /j/tmp tmpfs \(unsupported)")
                    == "mount option \"\(unsupported)\" has no counterpart in a Linux jail; remove it")
        }
    }
}
