import Testing

@testable import JailConf

/// Every example in jail.conf(5), jail(8), FreeBSD's own jail(8) test scripts, the Handbook's
/// jail chapter and FREEBSD-JAILS.md §1.8, with the parameters FreeBSD would use.
@Suite struct DocumentedExampleTests {
    /// JC5 EXAMPLES (jail.conf.5 @ fa9896e0, June 2023), verbatim.
    static let manPageExample = """
        # Typical static defaults:
        # Use the rc scripts to start and stop jails.  Mount jail's /dev.
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        exec.clean;
        mount.devfs;

        # Dynamic wildcard parameter:
        # Base the path off the jail name.
        path = "/var/jail/$name";

        # A typical jail.
        foo {
        \thost.hostname = "foo.com";
        \tip4.addr = 10.1.1.1, 10.1.1.2, 10.1.1.3;
        }

        # This jail overrides the defaults defined above.
        bar {
        \texec.start = '';
        \texec.stop = '';
        \tpath = /;
        \tmount.nodevfs;
        \tpersist;\t// Required because there are no processes
        }

        # Include configurations from standard locations.
        .include "/etc/jail.conf.d/*.conf";
        .include "/etc/jail.*.conf";
        .include "/usr/local/etc/jail[.]conf";
        .include "/usr/local/etc/jail.conf.d/*.conf";
        .include "/usr/local/etc/jail.*.conf";
        """

    @Test func manPageExampleResolves() throws {
        let file = try conf(Self.manPageExample, path: "/etc/jail.conf")
        #expect(file.jailNames == ["foo", "bar"])
        let foo = try file.resolve(["foo"], overrides: [], forRemoval: false)[0]
        // JC5: parameters outside a definition apply to every jail, with "$name" substituted
        // per jail ("Variable substitution is done on a per-jail basis").
        #expect(foo.name == "foo")
        #expect(foo.strings("exec.start") == ["/bin/sh /etc/rc"])
        #expect(foo.strings("exec.stop") == ["/bin/sh /etc/rc.shutdown jail"])
        #expect(foo.bool("exec.clean") == true)
        #expect(foo.bool("mount.devfs") == true)
        #expect(foo.string("path") == "/var/jail/foo")
        #expect(foo.string("host.hostname") == "foo.com")
        #expect(foo.strings("ip4.addr") == ["10.1.1.1", "10.1.1.2", "10.1.1.3"])

        // JC5: "This jail overrides the defaults defined above."
        let bar = try file.resolve(["bar"], overrides: [], forRemoval: false)[0]
        #expect(bar.strings("exec.start") == [""])
        #expect(bar.strings("exec.stop") == [""])
        #expect(bar.string("path") == "/")
        #expect(bar.bool("mount.devfs") == false)
        #expect(bar.bool("mount.nodevfs") == true)
        #expect(bar.bool("persist") == true)
        #expect(bar.warnings.isEmpty)
    }

    @Test func manPageExampleExhibited() throws {
        // JC print_jail: name=value pairs in parameter order, the implied name first, a
        // replaced parameter keeping its place (CC add_param) under its last spelling
        // (mount.nodevfs), values quoted by quoted_print.
        #expect(
            try exhibit(Self.manPageExample)
                == """
                name=foo|exec.start="/bin/sh /etc/rc"|exec.stop="/bin/sh /etc/rc.shutdown jail"|exec.clean|mount.devfs|path=/var/jail/foo|host.hostname=foo.com|ip4.addr=10.1.1.1,10.1.1.2,10.1.1.3
                name=bar|exec.start=""|exec.stop=""|exec.clean|mount.nodevfs|path=/|persist

                """)
    }

    @Test func manPageExampleIncludesJailConfD() throws {
        // JC5 "Includes" and its EXAMPLES: a glob that matches nothing is fine; every match is
        // read, in sorted order, after the statements before the .include.
        let files = [
            "/etc/jail.conf.d/web.conf": "web { persist; path = /; }",
            "/etc/jail.conf.d/db.conf": "db { persist; }",
            "/usr/local/etc/jail.conf": "local { persist; }",
        ]
        let file = try conf(Self.manPageExample, path: "/etc/jail.conf", files: files)
        #expect(file.jailNames == ["foo", "bar", "db", "web", "local"])
        let web = try file.resolve(["web"], overrides: [], forRemoval: false)[0]
        #expect(web.string("path") == "/")
        #expect(web.strings("exec.start") == ["/bin/sh /etc/rc"])
        #expect(try file.resolve(["db"], overrides: [], forRemoval: false)[0].string("path") == "/var/jail/db")
    }

    @Test func booleanSpellingsAreEquivalent() throws {
        // JC5: "these are equivalent: allow.mount = "false"; allow.nomount;"
        for statement in [#"allow.mount = "false";"#, "allow.nomount;", "allow.mount = 0;", "allow.nomount = true;"] {
            let jail = try jail("j", in: "j { path = /; persist; \(statement) }")
            #expect(jail.bool("allow.mount") == false, "\(statement)")
            #expect(jail.bool("allow.nomount") == true, "\(statement)")
        }
    }

    @Test func listsByCommaOrAppend() throws {
        // JC5: a comma-separated list, or "an existing parameter list may be appended to using +=".
        let one = try jail("j", in: "j { persist; ip4.addr = 10.1.1.1, 10.1.1.2, 10.1.1.3; }")
        let appended = try jail(
            "j", in: "j { persist; ip4.addr = 10.1.1.1; ip4.addr += 10.1.1.2; ip4.addr += 10.1.1.3; }")
        #expect(one.strings("ip4.addr") == ["10.1.1.1", "10.1.1.2", "10.1.1.3"])
        #expect(appended.strings("ip4.addr") == one.strings("ip4.addr"))
    }

    @Test func variablesFromTheManPage() throws {
        // JC5 "Variables": path in terms of the name or the hostname, and a $variable that is
        // "only used for substitution" (never passed on).
        #expect(try jail("j", in: #"path = "/var/jail/$name"; j { persist; }"#).string("path") == "/var/jail/j")
        let byHost = try jail(
            "j", in: #"path = "/var/jail/${host.hostname}"; j { host.hostname = h.example; persist; }"#)
        #expect(byHost.string("path") == "/var/jail/h.example")
        let byVariable = try jail("j", in: #"$parentdir = "/var/jail"; path = "$parentdir/$name"; j { persist; }"#)
        #expect(byVariable.string("path") == "/var/jail/j")
        #expect(byVariable.value("parentdir") == nil)
        #expect(!byVariable.entries.contains { $0.name.contains("parentdir") })
    }

    @Test func jailManPageStartingTheJail() throws {
        // J8 EXAMPLES "Starting the Jail".
        let text = """
            testjail {
            \tpath = /tmp/jail/testjail;
            \tmount.devfs;
            \thost.hostname = testhostname;
            \tip4.addr = 192.0.2.100;
            \tinterface = em0;
            \texec.start = "/bin/sh /etc/rc";
            \texec.stop = "/bin/sh /etc/rc.shutdown jail";
            }
            """
        let testjail = try jail("testjail", in: text)
        #expect(
            testjail.entries.map(\.name) == [
                "name", "path", "mount.devfs", "host.hostname", "ip4.addr", "interface", "exec.start", "exec.stop",
            ])
        #expect(testjail.string("interface") == "em0")
        #expect(testjail.addresses("ip4.addr") == [IPAddressSpec("192.0.2.100", ipv6: false)].compactMap { $0 })
    }

    @Test func jailManPageCommandLine() throws {
        // J8 EXAMPLES "Configuring the Jail": jail -c path=/data/jail/testjail mount.devfs
        // host.hostname=testhostname ip4.addr=192.0.2.100 command=/bin/sh (command= is split
        // off by the CLI).
        let params = try CommandLineParams.parse([
            "path=/data/jail/testjail", "mount.devfs", "host.hostname=testhostname", "ip4.addr=192.0.2.100",
        ])
        #expect(params.string("path") == "/data/jail/testjail")
        #expect(params.bool("mount.devfs") == true)
        #expect(params.strings("ip4.addr") == ["192.0.2.100"])
        // J8 "name": "If no name is supplied, a default is assumed that is the same as the jid."
        #expect(params.name == "")
        #expect(params.jid == nil)
    }

    @Test func freeBSDTestSuiteBasic() throws {
        // usr.sbin/jail/tests/jail_basic_test.sh "basic" and "list": jail -c name=basejail persist
        // ip4.addr=192.0.1.1; vnet.interface=${epair},${epair%a}b is a list of two.
        let basic = try CommandLineParams.parse(["name=basejail", "persist", "ip4.addr=192.0.1.1"])
        #expect(basic.name == "basejail")
        #expect(basic.bool("persist") == true)
        let list = try CommandLineParams.parse(["name=basejail", "vnet", "persist", "vnet.interface=epair0a,epair0b"])
        #expect(list.strings("vnet.interface") == ["epair0a", "epair0b"])
        #expect(list.string("vnet") == "new")
    }

    @Test func freeBSDTestSuiteJidNamedJails() throws {
        // jail_basic_test.sh "jid_name_set": "5309 { name = basejail; persist; }" creates jid
        // 5309 named basejail; "5309 { host.hostname = "${name}"; persist; }" expands ${name} to
        // the jid-implied name; "basejail { jid = 5309; persist; }" sets the jid.
        let named = try jail("5309", in: "5309 { name = basejail; persist; }")
        #expect(named.jid == 5309)
        #expect(named.name == "basejail")
        #expect(named.configName == "5309")
        let implied = try jail("5309", in: #"5309 { host.hostname = "${name}"; persist; }"#)
        #expect(implied.jid == 5309)
        #expect(implied.name == "5309")
        #expect(implied.string("host.hostname") == "5309")
        let byJid = try jail("basejail", in: "basejail { jid = 5309; persist; }")
        #expect(byJid.jid == 5309)
        #expect(byJid.name == "basejail")
    }

    @Test func freeBSDTestSuiteParamConsistency() throws {
        // jail_basic_test.sh "param_consistency": single-quoted commands keep `$JID` for sh.
        let text = "basejail {path = /; exec.poststop = 'echo JID=$JID'; persist; }"
        #expect(try jail("basejail", in: text).strings("exec.poststop") == ["echo JID=$JID"])
        let jid = try jail("5309", in: "5309 {name = basejail; path = /; exec.prestop = 'echo STOP'; persist; }")
        #expect(jid.name == "basejail")
        #expect(jid.strings("exec.prestop") == ["echo STOP"])
    }

    @Test func freeBSDTestSuiteCommandsConf() throws {
        // usr.sbin/jail/tests/commands.jail.conf, with the test's appended `path = "$PWD";`
        // (written out here): global statements after the jail still apply to it.
        let text = """

            exec.prestop = "echo STOP";
            exec.prestart = "echo START";
            persist;

            basejail {}
            path = "/tmp/work";
            """
        let basejail = try jail("basejail", in: text)
        #expect(basejail.strings("exec.prestart") == ["echo START"])
        #expect(basejail.strings("exec.prestop") == ["echo STOP"])
        #expect(basejail.string("path") == "/tmp/work")
    }

    @Test func freeBSDTestSuiteExpansion() throws {
        // 5BSD usr.sbin/jail/tests/jail_config_test.sh "expansion", expected output verbatim.
        let text = """
            $root = "/srv";
            $empty = "";
            a {
            \tpath = "$root/${name}";
            \thost.hostname = "pre${empty}post";
            \texec.start = "${empty}";
            }
            a.child {
            \tpath = "$root/${name}";
            \thost.hostname = "${empty}child${empty}";
            }
            """
        #expect(
            try exhibit(text) == """
                name=a|path=/srv/a|host.hostname=prepost|exec.start=""
                name=a.child|path=/srv/a.child|host.hostname=child

                """)
    }

    @Test func freeBSDTestSuiteLargeExpansion() throws {
        // jail_config_test.sh "large_expansion": strings grow across allocation sizes.
        let long = String(repeating: "x", count: 8192)
        let text = "$long = \"\(long)\";\ngrowth {\n\tpath = \"prefix${long}middle${long}suffix\";\n}\n"
        #expect(try exhibit(text) == "name=growth|path=prefix\(long)middle\(long)suffix\n")
    }

    // MARK: - The Handbook's jail chapter (HB, freebsd-doc @ 003f3626)

    static let handbookTypicalEntry = """
        jailname { <.>
          # STARTUP/LOGGING
          exec.start = "/bin/sh /etc/rc"; <.>
          exec.stop = "/bin/sh /etc/rc.shutdown"; <.>
          exec.consolelog = "/var/log/jail_console_${name}.log"; <.>

          # PERMISSIONS
          allow.raw_sockets; <.>
          exec.clean; <.>
          mount.devfs; <.>

          # HOSTNAME/PATH
          host.hostname = "${name}"; <.>
          path = "/usr/local/jails/containers/${name}"; <.>

          # NETWORK
          ip4.addr = 192.168.1.151; <.>
          ip6.addr = ::ffff:c0a8:197 <.>
          interface = em0; <.>
        }
        """

    @Test func handbookTypicalEntryHasAMissingSemicolon() {
        // HB "Jail Configuration Files": the `ip6.addr` line lacks its `;`, which FreeBSD's
        // grammar requires (JP: `conf param ';'`), so the file is refused where the next
        // statement begins.
        let error = failure { _ = try conf(withoutCallouts(Self.handbookTypicalEntry)) }
        #expect(
            error?.description
                == #"/test/jail.conf line 19 column 3: expected ";" or "," after a value, found "interface""#)
    }

    @Test func handbookTypicalEntryCorrected() throws {
        let text = withoutCallouts(Self.handbookTypicalEntry).replacing(
            "::ffff:c0a8:197\n", with: "::ffff:c0a8:197;\n")
        let jail = try jail("jailname", in: text)
        #expect(jail.string("exec.consolelog") == "/var/log/jail_console_jailname.log")
        #expect(jail.bool("allow.raw_sockets") == true)
        #expect(jail.string("host.hostname") == "jailname")
        #expect(jail.string("path") == "/usr/local/jails/containers/jailname")
        #expect(jail.strings("ip6.addr") == ["::ffff:c0a8:197"])
    }

    @Test func handbookClassicAndThinJails() throws {
        // HB "Creating a Classic Jail" and "Creating a Thin Jail Using OpenZFS Snapshots".
        let classic = """
            classic {
              # STARTUP/LOGGING
              exec.start = "/bin/sh /etc/rc";
              exec.stop = "/bin/sh /etc/rc.shutdown";
              exec.consolelog = "/var/log/jail_console_${name}.log";

              # PERMISSIONS
              allow.raw_sockets;
              exec.clean;
              mount.devfs;

              # HOSTNAME/PATH
              host.hostname = "${name}";
              path = "/usr/local/jails/containers/${name}";

              # NETWORK
              ip4.addr = 192.168.1.151;
              interface = em0;
            }
            """
        let jail1 = try jail("classic", in: classic)
        #expect(jail1.string("path") == "/usr/local/jails/containers/classic")
        #expect(jail1.strings("ip4.addr") == ["192.168.1.151"])

        let thin = classic.replacing("classic", with: "thinjail").replacing(
            "ip4.addr = 192.168.1.151;", with: "ip4 = inherit;")
        let jail2 = try jail("thinjail", in: thin)
        #expect(jail2.string("ip4") == "inherit")
        #expect(jail2.value("ip4.addr") == nil)
    }

    @Test func handbookThinJailOnNullFS() throws {
        // HB "Creating a Thin Jail Using NullFS".
        let text = """
            thinjail {
              # STARTUP/LOGGING
              exec.start = "/bin/sh /etc/rc";
              exec.stop = "/bin/sh /etc/rc.shutdown";
              exec.consolelog = "/var/log/jail_console_${name}.log";

              # PERMISSIONS
              allow.raw_sockets;
              exec.clean;
              mount.devfs;

              # HOSTNAME/PATH
              host.hostname = "${name}";
              path = "/usr/local/jails/${name}-nullfs-base";

              # NETWORK
              ip4.addr = 192.168.1.153;
              interface = em0;

              # MOUNT
              mount.fstab = "/usr/local/jails/${name}-nullfs-base.fstab";
            }
            """
        let thin = try jail("thinjail", in: text)
        #expect(thin.string("path") == "/usr/local/jails/thinjail-nullfs-base")
        #expect(thin.strings("mount.fstab") == ["/usr/local/jails/thinjail-nullfs-base.fstab"])
    }

    static let handbookVNET = """
        vnet {
          # STARTUP/LOGGING
          exec.consolelog = "/var/log/jail_console_${name}.log";

          # PERMISSIONS
          allow.raw_sockets;
          exec.clean;
          mount.devfs;
          devfs_ruleset = 5;

          # PATH/HOSTNAME
          path = "/usr/local/jails/containers/${name}";
          host.hostname = "${name}";

          # VNET/VIMAGE
          vnet;
          vnet.interface = "${epair}b";

          # NETWORKS/INTERFACES
          $id = "154"; <.>
          $ip = "192.168.1.${id}/24";
          $gateway = "192.168.1.1";
          $bridge = "bridge0"; <.>
          $epair = "epair${id}";

          # ADD TO bridge INTERFACE
          exec.prestart  = "/sbin/ifconfig ${epair} create up";
          exec.prestart += "/sbin/ifconfig ${epair}a up descr jail:${name}";
          exec.prestart += "/sbin/ifconfig ${bridge} addm ${epair}a up";
          exec.start    += "/sbin/ifconfig ${epair}b ${ip} up";
          exec.start    += "/sbin/route add default ${gateway}";
          exec.start\t+= "/bin/sh /etc/rc";
          exec.stop\t= "/bin/sh /etc/rc.shutdown";
          exec.poststop = "/sbin/ifconfig ${bridge} deletem ${epair}a";
          exec.poststop += "/sbin/ifconfig ${epair}a destroy";
        }
        """

    @Test func handbookVNETJail() throws {
        // HB "Creating a VNET Jail". Variables may be used before they are defined: CC
        // substitutes after collecting the whole jail.
        let vnet = try jail("vnet", in: withoutCallouts(Self.handbookVNET))
        #expect(vnet.string("vnet") == "new")  // libjail: a bare jailsys parameter means "new"
        #expect(vnet.strings("vnet.interface") == ["epair154b"])
        #expect(vnet.int("devfs_ruleset") == 5)
        #expect(
            vnet.strings("exec.prestart") == [
                "/sbin/ifconfig epair154 create up",
                "/sbin/ifconfig epair154a up descr jail:vnet",
                "/sbin/ifconfig bridge0 addm epair154a up",
            ])
        #expect(
            vnet.strings("exec.start") == [
                "/sbin/ifconfig epair154b 192.168.1.154/24 up",
                "/sbin/route add default 192.168.1.1",
                "/bin/sh /etc/rc",
            ])
        #expect(vnet.strings("exec.stop") == ["/bin/sh /etc/rc.shutdown"])
        #expect(
            vnet.strings("exec.poststop") == [
                "/sbin/ifconfig bridge0 deletem epair154a", "/sbin/ifconfig epair154a destroy",
            ])
        #expect(!vnet.entries.contains { $0.name == "id" || $0.name == "epair" })
    }

    @Test func handbookLinuxJail() throws {
        // HB "Creating a Linux Jail": the jail.conf entry (its fstab lines use $path).
        let text = """
            ubuntu {
              # STARTUP/LOGGING
              exec.start = "/bin/sh /etc/rc";
              exec.stop = "/bin/sh /etc/rc.shutdown";
              exec.consolelog = "/var/log/jail_console_${name}.log";

              # PERMISSIONS
              allow.raw_sockets;
              exec.clean;
              mount.devfs;
              devfs_ruleset = 4;

              # HOSTNAME/PATH
              host.hostname = "${name}";
              path = "/usr/local/jails/containers/${name}";

              # NETWORK
              ip4.addr = 192.168.1.155;
              interface = em0;

              # MOUNT
              mount += "devfs     $path/compat/ubuntu/dev     devfs     rw  0 0";
              mount += "tmpfs     $path/compat/ubuntu/dev/shm tmpfs     rw,size=1g,mode=1777  0 0";
              mount += "fdescfs   $path/compat/ubuntu/dev/fd  fdescfs   rw,linrdlnk 0 0";
              mount += "linprocfs $path/compat/ubuntu/proc    linprocfs rw  0 0";
              mount += "linsysfs  $path/compat/ubuntu/sys     linsysfs  rw  0 0";
              mount += "/tmp      $path/compat/ubuntu/tmp     nullfs    rw  0 0";
              mount += "/home     $path/compat/ubuntu/home    nullfs    rw  0 0";
            }
            """
        let ubuntu = try jail("ubuntu", in: text)
        let mounts = ubuntu.strings("mount")
        #expect(mounts.count == 7)
        #expect(
            mounts[1]
                == "tmpfs     /usr/local/jails/containers/ubuntu/compat/ubuntu/dev/shm tmpfs     rw,size=1g,mode=1777  0 0"
        )
    }

    @Test func handbookLinuxJailCommandLineIsRefused() {
        // HB "Creating a Linux Jail": `jail -cm name=ubuntu ... allow.mount ... enforce_statfs=1`.
        // Mounting inside a jail needs a user namespace here, so the command is refused, and
        // says why, rather than creating a jail without the permissions asked for.
        let words = [
            "name=ubuntu", "host.hostname=ubuntu.example.com", "path=/usr/local/jails/ubuntu", "interface=em0",
            "ip4.addr=192.168.1.150", "exec.start=/bin/sh /etc/rc", "exec.stop=/bin/sh /etc/rc.shutdown",
            "mount.devfs", "devfs_ruleset=4", "allow.mount", "allow.mount.devfs", "allow.mount.fdescfs",
            "allow.mount.procfs", "allow.mount.linprocfs", "allow.mount.linsysfs", "allow.mount.tmpfs",
            "enforce_statfs=1",
        ]
        let error = failure { _ = try CommandLineParams.parse(words) }
        #expect(
            error?.description
                == "command line word 10: ubuntu: allow.mount: refused: mounting inside the jail needs a user namespace, not supported yet"
        )
        #expect(error?.kind == .refused)
    }

    @Test func handbookIncludeLayout() throws {
        // HB "Jail Configuration Files": /etc/jail.conf includes /etc/jail.conf.d/*.conf.
        let files = [
            "/etc/jail.conf.d/classic.conf": #"classic { path = "/usr/local/jails/containers/${name}"; persist; }"#
        ]
        let file = try conf(#".include "/etc/jail.conf.d/*.conf";"#, path: "/etc/jail.conf", files: files)
        #expect(
            try file.resolve(["classic"], overrides: [], forRemoval: false)[0].string("path")
                == "/usr/local/jails/containers/classic")
    }

    // MARK: - FREEBSD-JAILS.md §1.8

    @Test func referenceDefaultsPlusTwoJails() throws {
        let text = """
            # defaults for every jail
            exec.start = "/bin/sh /etc/rc";
            exec.stop  = "/bin/sh /etc/rc.shutdown jail";
            exec.clean;
            mount.devfs;
            path = "/var/jail/$name";            # per-jail substitution

            foo {                                 # a "virtual server" jail
                host.hostname = "foo.com";
                ip4.addr = 10.1.1.1, 10.1.1.2, 10.1.1.3;
            }
            bar {                                 # overrides the defaults
                exec.start = ''; exec.stop = '';
                path = /;
                mount.nodevfs;
                persist;                          // no processes, so it must persist
            }
            .include "/etc/jail.conf.d/*.conf";
            """
        let file = try conf(text, path: "/etc/jail.conf")
        let jails = try file.resolve([], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["foo", "bar"])
        #expect(jails[0].string("path") == "/var/jail/foo")
        #expect(jails[1].bool("mount.devfs") == false)
        #expect(jails.allSatisfy { $0.implicitlySelected })
    }

    @Test func referenceVNETWithHooks() throws {
        let text = """
            vnet {
              exec.consolelog = "/var/log/jail_console_${name}.log";
              allow.raw_sockets; exec.clean; mount.devfs; devfs_ruleset = 5;
              path = "/usr/local/jails/containers/${name}"; host.hostname = "${name}";
              vnet; vnet.interface = "${epair}b";
              $id = "154"; $ip = "192.168.1.${id}/24"; $gateway = "192.168.1.1";
              $bridge = "bridge0"; $epair = "epair${id}";
              exec.prestart  = "/sbin/ifconfig ${epair} create up";
              exec.prestart += "/sbin/ifconfig ${bridge} addm ${epair}a up";
              exec.start    += "/sbin/ifconfig ${epair}b ${ip} up";
              exec.start    += "/sbin/route add default ${gateway}";
              exec.start    += "/bin/sh /etc/rc";
              exec.stop      = "/bin/sh /etc/rc.shutdown";
              exec.poststop  = "/sbin/ifconfig ${bridge} deletem ${epair}a";
              exec.poststop += "/sbin/ifconfig ${epair}a destroy";
            }
            """
        let vnet = try jail("vnet", in: text)
        #expect(
            vnet.strings("exec.prestart") == [
                "/sbin/ifconfig epair154 create up", "/sbin/ifconfig bridge0 addm epair154a up",
            ])
        #expect(vnet.strings("exec.start").first == "/sbin/ifconfig epair154b 192.168.1.154/24 up")
        #expect(vnet.string("exec.consolelog") == "/var/log/jail_console_vnet.log")
    }
}
