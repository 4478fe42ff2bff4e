import FoundationEssentials
import Testing

@testable import JailConf

/// The parameter table and what validation does with it.
@Suite struct ParameterTableTests {
    /// Every parameter named in FREEBSD-JAILS.md §2.1–2.4.
    static let documented = [
        // §2.1
        "jid", "name", "path", "ip4.addr", "ip4.saddrsel", "ip4", "ip6.addr", "ip6.saddrsel", "ip6", "vnet",
        "host.hostname", "host.domainname", "host.hostuuid", "host.hostid", "host", "securelevel", "devfs_ruleset",
        "children.max", "children.cur", "enforce_statfs", "persist", "cpuset.id", "dying", "parent", "osrelease",
        "osreldate", "meta", "env", "mac.label", "desc",
        // §2.2
        "allow.set_hostname", "allow.sysvipc", "allow.raw_sockets", "allow.chflags", "allow.mount",
        "allow.mount.devfs", "allow.mount.nullfs", "allow.mount.tmpfs", "allow.mount.procfs", "allow.mount.fdescfs",
        "allow.mount.linprocfs", "allow.mount.linsysfs", "allow.mount.fusefs", "allow.mount.zfs", "allow.quotas",
        "allow.socket_af", "allow.mlock", "allow.reserved_ports", "allow.read_msgbuf",
        "allow.unprivileged_proc_debug", "allow.unprivileged_parent_tampering", "allow.suser", "allow.nfsd",
        "allow.extattr", "allow.adjtime", "allow.settime", "allow.routing", "allow.setaudit", "allow.vmm",
        "allow.vmm_ppt", "allow.dying",
        // §2.3
        "sysvmsg", "sysvsem", "sysvshm", "linux", "linux.osname", "linux.osrelease", "linux.oss_version",
        "zfs.mount_snapshot",
        // §2.4
        "exec.prepare", "exec.prestart", "exec.created", "exec.start", "command", "exec.poststart", "exec.prestop",
        "exec.stop", "exec.poststop", "exec.release", "exec.clean", "exec.jail_user", "exec.system_jail_user",
        "exec.system_user", "exec.timeout", "exec.consolelog", "exec.fib", "stop.timeout", "interface",
        "vnet.interface", "zfs.dataset", "ip_hostname", "mount", "mount.fstab", "mount.devfs", "mount.fdescfs",
        "mount.procfs", "depend",
        // Ours: rctl rules as a parameter (managers' "limits"; FreeBSD has only rctl(8)).
        "rctl", "thin.base", "vnet.bridge", "init", "stop.signal",
    ]

    @Test func everyDocumentedParameterIsInTheTable() {
        for name in Self.documented {
            #expect(ParameterTable.info(name) != nil, "\(name)")
        }
        #expect(Set(ParameterTable.all.map(\.name)) == Set(Self.documented))
        #expect(ParameterTable.all.count == Set(ParameterTable.all.map(\.name)).count)
        // config.c intparams are all in the table too.
        for name in ParameterNames.jailInternal {
            #expect(ParameterTable.info(name) != nil, "\(name)")
        }
    }

    @Test func perKeyMetaAndEnv() throws {
        // J8: "meta.keyname=value or env.keyname=value ... meta.keyname ... remove the given key".
        #expect(ParameterTable.info("meta.owner")?.type == .string)
        let jail = try jail("j", in: "j { persist; meta.owner = alice; env.ROLE = web; meta.old; }")
        #expect(jail.string("meta.owner") == "alice")
        #expect(jail.value("meta.old") == .list([]))
        #expect(ParameterTable.info("meta.") == nil)
    }

    @Test func engineDeviationsInDefaults() {
        // Our engine's choices, documented in docs/parameters.md.
        #expect(ParameterTable.info("allow.set_hostname")?.defaultValue == .bool(false))
        #expect(ParameterTable.info("allow.set_hostname")?.freeBSDDefault == "true")
        for name in ["sysvmsg", "sysvsem", "sysvshm"] {
            #expect(ParameterTable.info(name)?.defaultValue == .list(["new"]))
            #expect(ParameterTable.info(name)?.freeBSDDefault == "disable")
        }
        #expect(ParameterTable.info("mount.devfs")?.defaultValue == .bool(true))
        #expect(ParameterTable.info("mount.procfs")?.defaultValue == .bool(true))
        // FreeBSD's own defaults kept (J8, KJ).
        #expect(ParameterTable.info("allow.reserved_ports")?.defaultValue == .bool(true))
        #expect(ParameterTable.info("allow.suser")?.defaultValue == .bool(true))
        #expect(ParameterTable.info("stop.timeout")?.defaultValue == .list(["10"]))
        #expect(ParameterTable.info("enforce_statfs")?.defaultValue == .list(["2"]))
        #expect(ParameterTable.info("vnet")?.runtimeChangeable == false)
        #expect(ParameterTable.info("persist")?.runtimeChangeable == true)
        #expect(ParameterTable.info("exec.start")?.kind == .pseudo)
    }

    @Test func defaultsThroughTheAccessors() throws {
        let params = try jail("j", in: "j { persist; mount.noprocfs; allow.sysvipc; }")
        #expect(params.bool("mount.devfs") == nil)
        #expect(params.valueOrDefault("mount.devfs") == .bool(true))
        #expect(params.valueOrDefault("mount.procfs") == .bool(false))
        #expect(params.valueOrDefault("mount.nodevfs") == .bool(false))
        #expect(params.valueOrDefault("stop.timeout") == .list(["10"]))
        #expect(params.valueOrDefault("host.hostname") == nil)
        // J8 allow.sysvipc: "equivalent to setting sysvmsg, sysvsem, and sysvshm all to inherit".
        #expect(params.string("sysvshm") == "inherit")
        #expect(params.valueOrDefault("sysvmsg") == .list(["inherit"]))
        let explicit = try jail("k", in: "k { persist; sysvmsg = inherit; sysvsem = inherit; sysvshm = inherit; }")
        #expect(explicit.bool("allow.sysvipc") == true)
        #expect(explicit.bool("allow.nosysvipc") == false)
        let mixed = try jail("k", in: "k { persist; sysvmsg = new; }")
        #expect(mixed.bool("allow.sysvipc") == false)
        #expect(try jail("k", in: "k { persist; }").bool("allow.sysvipc") == nil)
    }

    @Test func refusalsApplyToGrantingValuesOnly() throws {
        let base = "j { persist; path = /; "
        // Granting values are refused, with the reason.
        let refused: [(String, String)] = [
            (
                "allow.mount;",
                "allow.mount: refused: mounting inside the jail needs a user namespace, not supported yet"
            ),
            (
                "allow.set_hostname = 1;",
                "allow.set_hostname: refused: letting the jail change its hostname needs a user namespace, not supported yet"
            ),
            (
                "allow.mount.nullfs = true;",
                "allow.mount.nullfs: refused: mounting nullfs (bind mounts) needs a user namespace, not supported yet"
            ),
            (
                "enforce_statfs = 0;",
                "enforce_statfs = 0: refused: enforce_statfs = 0 would show the host's mount points; a jail's mount namespace holds only its own (1 and 2 show those)"
            ),
            (
                "securelevel = 3;",
                "securelevel = 3: refused: Linux has no securelevel; a jail asking for level 1 or more would silently get less protection"
            ),
            ("allow.quotas;", "allow.quotas: refused: quota administration from a jail is not supported"),
            ("allow.nfsd;", "allow.nfsd: refused: NFS servers in a jail are not supported"),
            ("allow.extattr;", "allow.extattr: refused: system-namespace extended attributes are not supported"),
            (
                "allow.routing;",
                "allow.routing: refused: changing the host's routing table from a jail is not supported"
            ),
            ("allow.setaudit;", "allow.setaudit: refused: audit session state is not supported"),
            ("allow.vmm;", "allow.vmm: refused: virtual machine access (/dev/kvm) is not supported"),
            ("allow.vmm_ppt;", "allow.vmm_ppt: refused: PCI passthrough is not supported"),
            ("zfs.dataset = tank/j;", "zfs.dataset: refused: ZFS delegation to jails is not supported"),
            ("zfs.mount_snapshot = 0;", "zfs.mount_snapshot: refused: ZFS delegation to jails is not supported"),
            (
                "mac.label = biba/high;",
                "mac.label: refused: MAC framework labels have no Linux equivalent here; ignoring one would drop a restriction"
            ),
        ]
        for (statement, message) in refused {
            let error = failure { _ = try jail("j", in: base + statement + " }") }
            #expect(error?.message == message, "\(statement)")
            #expect(error?.kind == .refused, "\(statement)")
        }
        // The same parameters with values that grant nothing are accepted.
        let accepted = try jail(
            "j",
            in: base
                + "allow.nomount; allow.mount.nonullfs; allow.noset_hostname; enforce_statfs = 2; securelevel = -1; allow.quotas = false; allow.novmm; children.max = 0; }"
        )
        #expect(accepted.bool("allow.mount") == false)
        #expect(accepted.int("securelevel") == -1)
        #expect(try jail("j", in: base + "securelevel = 0; }").int("securelevel") == 0)
    }

    @Test func readOnlyParameters() {
        for name in ["children.cur", "cpuset.id", "dying", "parent"] {
            #expect(
                failure { _ = try jail("j", in: "j { persist; \(name) = 1; }") }?.message
                    == "\(name) is a read-only parameter")
        }
    }

    @Test func warningsForConveniences() throws {
        let jail = try jail(
            "j",
            in: """
                j {
                  persist;
                  exec.fib = 1;
                  osrelease = "14.1-RELEASE";
                  osreldate = 1401000;
                  host.hostuuid = "00000000-0000-0000-0000-000000000001";
                  host.hostid = 1;
                  linux = new;
                  linux.osname = Linux;
                  allow.dying;
                }
                """)
        #expect(jail.warnings.count == 8)
        #expect(
            jail.warnings.first
                == "/test/jail.conf line 3 column 3: j: exec.fib: no per-command routing table on Linux yet; commands use the main table"
        )
        #expect(jail.warnings.last == "/test/jail.conf line 10 column 3: j: allow.dying: deprecated and has no effect")
        #expect(jail.int("exec.fib") == 1)
    }

    @Test func typeErrors() {
        // CC check_intparams and libjail jailparam_import messages.
        let cases: [(String, String)] = [
            ("children.max = many;", #"children.max: non-integer value "many""#),
            ("persist = yes;", #"persist: unknown boolean value "yes""#),
            ("vnet = maybe;", #"vnet: unknown jailsys value "maybe""#),
            ("vnet = disable;", #"vnet: "disable" is not allowed (use new or inherit)"#),
            ("ip4.addr = 10.0.0.256;", "ip4.addr: not an IPv4 address: 10.0.0.256"),
            ("ip6.addr = 10.0.0.1;", "ip6.addr: not an IPv6 address: 10.0.0.1"),
            ("jid = 0;", "jid: 0 is out of range (1 to 999999)"),
            ("stop.timeout = -1;", "stop.timeout: -1 is out of range (0 to 2147483647)"),
            (
                "host.hostname = \"bad name\";",
                #"host.hostname: "bad name" is not a valid host name (letters, digits, "-", "." and "_", at most 64 bytes)"#
            ),
            (
                "host.hostname = \(String(repeating: "a", count: 65));",
                #"host.hostname: "\#(String(repeating: "a", count: 65))" is not a valid host name (letters, digits, "-", "." and "_", at most 64 bytes)"#
            ),
            ("path = relative/dir;", "path relative/dir: not an absolute pathname"),
            ("interface = \"em 0\";", #"interface: "em 0" is not a valid interface name"#),
            ("vnet.interface = epair0b, \"a/b\";", #"vnet.interface: "a/b" is not a valid interface name"#),
            ("securelevel;", "securelevel: a value is required"),
            ("ip4.addr = em0|10.0.0.1/33;", "ip4.addr: not an IPv4 address: em0|10.0.0.1/33"),
        ]
        for (statement, message) in cases {
            let error = failure { _ = try jail("j", in: "j { persist; \(statement) }") }
            #expect(error?.message == message, "\(statement)")
            #expect(error?.kind == .invalidValue, "\(statement)")
        }
    }

    @Test func acceptedValueForms() throws {
        let jail = try jail(
            "j",
            in: """
                j {
                  persist = "TRUE"; exec.clean = 1; ip4.saddrsel = "false";
                  vnet = "NEW"; ip4 = 2; sysvshm = disable; host;
                  ip4.addr = em0|192.0.2.1/24, "lo0|127.0.1.1/255.255.255.0 alias", 10.0.0.1;
                  ip6.addr = ::1, "em0|2001:db8::1/64", ::ffff:192.0.2.1, 1:2:3:4:5:6:7:8;
                  host.hostname = a-b_c.example; devfs_ruleset = +4; stop.timeout = 010;
                }
                """)
        #expect(jail.bool("persist") == true && jail.bool("exec.clean") == true && jail.bool("ip4.saddrsel") == false)
        #expect(jail.string("vnet") == "new" && jail.string("ip4") == "inherit" && jail.string("host") == "new")
        #expect(jail.int("devfs_ruleset") == 4 && jail.int("stop.timeout") == 10)
        let addresses = jail.addresses("ip4.addr")
        #expect(addresses.count == 3)
        #expect(addresses[1] == IPAddressSpec("lo0|127.0.1.1/255.255.255.0 alias", ipv6: false))
        #expect(
            addresses[1].interface == "lo0" && addresses[1].prefix == "255.255.255.0"
                && addresses[1].options == ["alias"])
        #expect(
            jail.addresses("ip6.addr").map(\.address) == ["::1", "2001:db8::1", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8"])
    }

    @Test func addressSyntax() {
        #expect(Addresses.isIPv4("192.0.2.1") && !Addresses.isIPv4("192.0.2") && !Addresses.isIPv4("01.0.0.1"))
        #expect(!Addresses.isIPv4("1.2.3.4.5") && !Addresses.isIPv4("a.b.c.d"))
        #expect(Addresses.isIPv6("::") && Addresses.isIPv6("fe80::1") && Addresses.isIPv6("1::8"))
        #expect(!Addresses.isIPv6("1:2:3:4:5:6:7:8:9") && !Addresses.isIPv6("1::2::3") && !Addresses.isIPv6("12345::"))
        #expect(!Addresses.isIPv6(":1") && !Addresses.isIPv6("1.2.3.4") && !Addresses.isIPv6("g::"))
        #expect(Addresses.isIPv6("::ffff:c0a8:197"))
    }

    @Test func unknownParametersSuggestASpelling() {
        let cases: [(String, String)] = [
            ("alow.raw_sockets", "allow.raw_sockets"),
            ("allow.raw_socket", "allow.raw_sockets"),
            ("exec.strat", "exec.start"),
            ("mount.nodevf", "mount.nodevfs"),
            ("host.hotsname", "host.hostname"),
        ]
        for (typo, suggestion) in cases {
            let error = failure { _ = try jail("j", in: "j { persist; \(typo); }") }
            #expect(error?.message == "unknown parameter \"\(typo)\" (did you mean \(suggestion)?)")
        }
        #expect(
            failure { _ = try jail("j", in: "j { persist; frobnicate; }") }?.message
                == #"unknown parameter "frobnicate""#)
        // Only booleans have a `no` form (libjail jailparam_type).
        #expect(failure { _ = try jail("j", in: "j { persist; nopath; }") }?.kind == .unknownParameter)
        #expect(failure { _ = try jail("j", in: "j { persist; novnet; }") }?.kind == .unknownParameter)
    }

    @Test func theExampleErrorFromTheIssue() throws {
        // Issue 4: `jail: ./jails.conf line 12: www: unknown parameter "alow.raw_sockets" (did
        // you mean allow.raw_sockets?)` (the CLI adds `jail: `).
        var lines = Array(repeating: "", count: 11)
        lines[0] = "www {"
        lines[1] = "    path = /jails/www;"
        lines[2] = "    persist;"
        lines.append("    alow.raw_sockets;")
        lines.append("}")
        let file = try JailConfFile(
            path: "./jails.conf", fs: InMemoryFileSystem(["./jails.conf": lines.joined(separator: "\n")]))
        let error = failure { _ = try file.resolve(["www"], overrides: [], forRemoval: false) }
        #expect(
            error?.description
                == #"./jails.conf line 12 column 5: www: unknown parameter "alow.raw_sockets" (did you mean allow.raw_sockets?)"#
        )
    }

    @Test func removalIsLenient() throws {
        // JC imports kernel parameters only to create or modify: removing a jail must not fail
        // on a parameter creation would refuse or not know.
        let file = try conf("j { persist; allow.mount; alow.raw_sockets; exec.stop = 'sh /etc/rc.shutdown'; }")
        let jail = try file.resolve(["j"], overrides: [], forRemoval: true)[0]
        #expect(jail.strings("exec.stop") == ["sh /etc/rc.shutdown"])
        #expect(jail.value("alow.raw_sockets") == .list([]))
        // Type errors still count.
        #expect(
            failure { _ = try conf("j { stop.timeout = soon; }").resolve(["j"], overrides: [], forRemoval: true) }
                != nil)
    }

    @Test func documentationIsCurrent() throws {
        // docs/parameters.md is generated from the table. JAILCONF_UPDATE_DOCS=1 rewrites it.
        let path = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../docs/parameters.md")
        let expected = ParameterTable.markdown()
        if ProcessInfo.processInfo.environment["JAILCONF_UPDATE_DOCS"] == "1" {
            try Data(expected.utf8).write(to: path)
        }
        let actual = String(decoding: try Data(contentsOf: path), as: UTF8.self)
        #expect(actual == expected, "docs/parameters.md is stale: run JAILCONF_UPDATE_DOCS=1 swift test")
        for info in ParameterTable.all {
            #expect(actual.contains("| `\(info.name)` |"), "\(info.name)")
        }
    }
}
