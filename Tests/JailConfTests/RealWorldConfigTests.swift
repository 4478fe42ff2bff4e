import Testing

@testable import JailConf

/// Configurations in the styles FreeBSD users write (after the Handbook, jail(8) and the
/// layouts jail managers generate), resolved as FreeBSD would resolve them.
@Suite struct RealWorldConfigTests {
    @Test func thinJailsSharingABaseThroughFstab() throws {
        // HB "Creating a Thin Jail Using NullFS", several jails on one template.
        let text = """
            $release = "14.2-RELEASE";
            * {
                exec.start = "/bin/sh /etc/rc";
                exec.stop = "/bin/sh /etc/rc.shutdown jail";
                exec.consolelog = "/var/log/jail_console_${name}.log";
                exec.clean;
                mount.devfs;
                devfs_ruleset = 4;
                host.hostname = "${name}.lan";
                path = "/usr/local/jails/${name}-nullfs-base";
                mount.fstab = "/usr/local/jails/${name}-nullfs-base.fstab";
                interface = em0;
                exec.prepare = "/usr/local/sbin/make-skeleton ${release} ${name}";
            }
            www  { ip4.addr = 192.168.1.10; }
            mail { ip4.addr = 192.168.1.11; allow.raw_sockets; }
            git  { ip4.addr = 192.168.1.12; mount.fstab += "/usr/local/jails/git-extra.fstab"; }
            """
        let file = try conf(text)
        let jails = try file.resolve([], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["www", "mail", "git"])
        #expect(jails[0].strings("mount.fstab") == ["/usr/local/jails/www-nullfs-base.fstab"])
        #expect(jails[0].string("path") == "/usr/local/jails/www-nullfs-base")
        #expect(jails[0].strings("exec.prepare") == ["/usr/local/sbin/make-skeleton 14.2-RELEASE www"])
        #expect(jails[1].bool("allow.raw_sockets") == true)
        #expect(jails[0].bool("allow.raw_sockets") == nil)
        #expect(
            jails[2].strings("mount.fstab") == [
                "/usr/local/jails/git-nullfs-base.fstab", "/usr/local/jails/git-extra.fstab",
            ])
        #expect(jails.allSatisfy { $0.warnings.isEmpty })
    }

    @Test func vnetJailsWithEpairHooksFromOneWildcard() throws {
        // HB "Creating a VNET Jail", generalised: the hooks live in a wildcard and each jail
        // sets only its number; substitution happens per jail (JC5).
        let text = """
            * {
                vnet;
                vnet.interface = "epair${id}b";
                $bridge = bridge0;
                exec.prestart  = "/sbin/ifconfig epair${id} create up";
                exec.prestart += "/sbin/ifconfig ${bridge} addm epair${id}a up";
                exec.start     = "/sbin/ifconfig epair${id}b 10.0.0.${id}/24 up";
                exec.start    += "/sbin/route add default 10.0.0.1";
                exec.start    += "/bin/sh /etc/rc";
                exec.stop      = "/bin/sh /etc/rc.shutdown jail";
                exec.poststop  = "/sbin/ifconfig ${bridge} deletem epair${id}a";
                exec.poststop += "/sbin/ifconfig epair${id}a destroy";
                path = "/jails/${name}";
                host.hostname = "${name}";
                mount.devfs;
                devfs_ruleset = 5;
            }
            web { $id = 10; }
            db  { $id = 11; exec.start += "/usr/local/bin/db-ready"; }
            """
        let web = try jail("web", in: text)
        #expect(web.strings("vnet.interface") == ["epair10b"])
        #expect(
            web.strings("exec.prestart") == [
                "/sbin/ifconfig epair10 create up", "/sbin/ifconfig bridge0 addm epair10a up",
            ])
        #expect(web.strings("exec.poststop").last == "/sbin/ifconfig epair10a destroy")
        let db = try jail("db", in: text)
        #expect(db.strings("exec.start").count == 4)
        #expect(db.strings("exec.start").first == "/sbin/ifconfig epair11b 10.0.0.11/24 up")
        // A jail that forgets its number fails with the variable named.
        let broken = failure { _ = try jail("cache", in: text + "\ncache {}") }
        #expect(broken?.message == #"vnet.interface: variable "id" not found"#)
        #expect(broken?.jail == "cache")
    }

    @Test func manyJailsSharingDefaultsWithAForcedSection() throws {
        // JC5: defaults above, a `*` below every jail to force values.
        var text = """
            exec.start = "/bin/sh /etc/rc";
            exec.stop = "/bin/sh /etc/rc.shutdown jail";
            exec.clean;
            mount.devfs;
            path = "/jails/$name";
            host.hostname = "$name.example.net";
            allow.raw_sockets;

            """
        for index in 1...20 {
            text += "j\(index) { ip4.addr = 192.0.2.\(index); }\n"
        }
        text += "special { path = /srv/special; }\n"
        text += "* { allow.noraw_sockets; stop.timeout = 20; }\n"
        let jails = try conf(text).resolve([], overrides: [], forRemoval: false)
        #expect(jails.count == 21)
        #expect(jails.allSatisfy { $0.bool("allow.raw_sockets") == false && $0.int("stop.timeout") == 20 })
        #expect(jails[4].string("host.hostname") == "j5.example.net")
        #expect(jails[20].string("path") == "/srv/special")
        #expect(jails[20].value("ip4.addr") == nil)
    }

    @Test func jidNamedJailsWithNameExpansion() throws {
        // jail_basic_test.sh jid_name_set, as a user would write several.
        let text = """
            * { path = "/jails/${name}"; host.hostname = "${name}"; persist; }
            5309 { name = basejail; }
            5310 {}
            """
        let file = try conf(text)
        let jails = try file.resolve([], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["basejail", "5310"])
        #expect(jails.map(\.jid) == [5309, 5310])
        // ${name} is the name in force after collection: the explicit name, or the jid.
        #expect(jails[0].string("path") == "/jails/basejail")
        #expect(jails[1].string("host.hostname") == "5310")
        #expect(jails.map(\.configName) == ["5309", "5310"])
    }

    @Test func jailConfDLayoutWithSharedDefaults() throws {
        // HB: one file per jail under /etc/jail.conf.d, included from /etc/jail.conf, which
        // also holds the shared defaults.
        let fileSystem = InMemoryFileSystem([
            "/etc/jail.conf": """
            exec.start = "/bin/sh /etc/rc";
            exec.stop = "/bin/sh /etc/rc.shutdown";
            exec.clean;
            mount.devfs;
            path = "/usr/local/jails/containers/${name}";
            .include "/etc/jail.conf.d/*.conf";
            """,
            "/etc/jail.conf.d/nginx.conf": "nginx { ip4.addr = 192.168.1.20; interface = em0; depend = postgres; }",
            "/etc/jail.conf.d/postgres.conf": "postgres { ip4.addr = 192.168.1.21; interface = em0; allow.sysvipc; }",
        ])
        let file = try JailConfFile(path: JailConfFile.defaultPath, fs: fileSystem)
        #expect(file.jailNames == ["nginx", "postgres"])
        let jails = try file.resolve(["nginx"], overrides: [], forRemoval: false)
        #expect(jails.map(\.name) == ["postgres", "nginx"])
        #expect(jails[0].string("sysvshm") == "inherit")
        #expect(jails[1].string("path") == "/usr/local/jails/containers/nginx")
        #expect(jails[1].definedAt?.file == "/etc/jail.conf.d/nginx.conf")
    }

    @Test func dualStackWithExtendedAddresses() throws {
        // J8 ip4.addr / ip6.addr: "interface|ip-address/netmask param ...".
        let text = """
            web {
                path = /jails/web;
                host.hostname = web.example.org;
                ip4.addr = "em0|192.0.2.10/24", "em0|192.0.2.11/32";
                ip6.addr = "em0|2001:db8::10/64", "em0|2001:db8::11/128 alias";
                ip4.nosaddrsel;
                exec.start = "/bin/sh /etc/rc";
                exec.stop = "/bin/sh /etc/rc.shutdown jail";
                stop.timeout = 30;
            }
            """
        let web = try jail("web", in: text)
        let v4 = web.addresses("ip4.addr")
        #expect(v4.map(\.address) == ["192.0.2.10", "192.0.2.11"])
        #expect(v4.allSatisfy { $0.interface == "em0" })
        let v6 = web.addresses("ip6.addr")
        #expect(v6.map(\.prefix) == ["64", "128"])
        #expect(v6[1].options == ["alias"])
        #expect(web.bool("ip4.saddrsel") == false)
        #expect(try exhibit(text).contains(#"ip6.addr=em0|2001:db8::10/64,"em0|2001:db8::11/128 alias""#))
    }

    @Test func bastilleStyleJailWithSecurelevelIsRefused() {
        // A jail.conf as BastilleBSD writes it: securelevel = 2 asks for protection Linux has no
        // equivalent of, so it is refused rather than silently weakened.
        let text = """
            alcatraz {
              devfs_ruleset = 4;
              enforce_statfs = 2;
              exec.clean;
              exec.consolelog = /var/log/bastille/alcatraz_console.log;
              exec.start = '/bin/sh /etc/rc';
              exec.stop = '/bin/sh /etc/rc.shutdown';
              host.hostname = alcatraz;
              mount.devfs;
              mount.fstab = /usr/local/bastille/jails/alcatraz/fstab;
              path = /usr/local/bastille/jails/alcatraz/root;
              securelevel = 2;
              osrelease = 14.1-RELEASE;
              interface = vtnet0;
              ip4.addr = 10.17.89.50;
              ip6 = disable;
            }
            """
        let error = failure { _ = try jail("alcatraz", in: text) }
        #expect(error?.location?.line == 12)
        #expect(error?.message.hasPrefix("securelevel = 2: refused: ") == true)
    }

    @Test func bastilleStyleJailWithoutSecurelevel() throws {
        let text = """
            alcatraz {
              devfs_ruleset = 4;
              enforce_statfs = 2;
              exec.clean;
              exec.start = '/bin/sh /etc/rc';
              host.hostname = alcatraz;
              path = /usr/local/bastille/jails/alcatraz/root;
              osrelease = 14.1-RELEASE;
              ip4.addr = 10.17.89.50;
              ip6 = disable;
            }
            """
        let jail = try jail("alcatraz", in: text)
        #expect(jail.string("ip6") == "disable")
        #expect(
            jail.warnings == [
                "/test/jail.conf line 8 column 3: alcatraz: osrelease: uname is not faked; the jail sees the host kernel's release"
            ])
    }

    @Test func serviceStyleJailsSharingTheHostNetwork() throws {
        // A single application in a jail with the host's addresses and hostname.
        let text = """
            unbound {
                path = /;
                ip4 = inherit; ip6 = inherit; host = inherit;
                exec.jail_user = unbound;
                exec.system_jail_user;
                exec.start = "/usr/local/sbin/unbound -d";
                exec.timeout = 60;
                stop.timeout = 5;
                mount.noprocfs; mount.nodevfs;
                persist = false;
            }
            """
        let jail = try jail("unbound", in: text)
        #expect(jail.string("ip4") == "inherit" && jail.string("host") == "inherit")
        #expect(jail.bool("exec.system_jail_user") == true)
        #expect(jail.valueOrDefault("mount.procfs") == .bool(false))
        #expect(jail.bool("persist") == false)
    }

    @Test func applicationStackWithDependencies() throws {
        let text = """
            * { path = "/jails/$name"; exec.start = "/bin/sh /etc/rc"; exec.stop = "/bin/sh /etc/rc.shutdown jail"; mount.devfs; }
            $db = pg;
            pg     { ip4.addr = 10.1.0.2; allow.sysvipc; }
            redis  { ip4.addr = 10.1.0.3; }
            app    { ip4.addr = 10.1.0.4; depend = $db, redis; }
            proxy  { ip4.addr = 10.1.0.5; depend = app; allow.raw_sockets; }
            """
        let file = try conf(text)
        #expect(
            try file.resolve(["proxy"], overrides: [], forRemoval: false).map(\.name) == [
                "pg", "redis", "app", "proxy",
            ])
        #expect(try file.resolve(["pg"], overrides: [], forRemoval: true).map(\.name) == ["proxy", "app", "pg"])
        #expect(try file.resolve(["redis"], overrides: [], forRemoval: false).map(\.name) == ["redis"])
    }

    @Test func hierarchicalDefinitionsForLater() throws {
        // Nested definitions parse and print; creating the children is refused (later work).
        let text = """
            host1 {
                path = /jails/host1; persist; children.max = 0;
                inner { path = /inner; persist; }
            }
            "host1.*" { exec.clean; }
            """
        #expect(
            try exhibit(text)
                == "name=host1|path=/jails/host1|persist|children.max=0\nname=host1.inner|path=/inner|persist|exec.clean\n"
        )
        #expect(try conf(text).resolve(["host1"], overrides: [], forRemoval: false).map(\.name) == ["host1"])
        #expect(
            failure { _ = try conf(text).resolve(["host1.inner"], overrides: [], forRemoval: false) }?.kind == .refused)
    }

    @Test func commentedOldSchoolConfig() throws {
        // Comments of every kind, quoting styles mixed, continuation lines.
        let text = """
            /*
             * Mail server jail.
             */
            mail {                       # the jail
                path = '/jails/mail';    // single quotes: no substitution needed
                host.hostname = "mail.\\
            example.com";
                exec.start = "/bin/sh /etc/rc",
                             "/usr/local/bin/check-mail";
                exec.stop = "/bin/sh /etc/rc.shutdown jail";
                exec.poststart = 'logger "mail started"';
                ip4.addr = 198.51.100.25;
                allow.raw_sockets = "true";
                meta.owner = "postmaster@example.com";
            }
            """
        let mail = try jail("mail", in: text)
        #expect(mail.string("host.hostname") == "mail.example.com")
        #expect(mail.strings("exec.start") == ["/bin/sh /etc/rc", "/usr/local/bin/check-mail"])
        #expect(mail.strings("exec.poststart") == [#"logger "mail started""#])
        #expect(mail.string("meta.owner") == "postmaster@example.com")
    }

    @Test func linuxOnlyNiceties() throws {
        // The defaults this engine picks differ from FreeBSD's in documented ways; a config that
        // spells FreeBSD's behaviour out still gets it.
        let text =
            "j { path = /j; persist; sysvmsg = disable; sysvsem = disable; sysvshm = disable; mount.nodevfs; mount.noprocfs; }"
        let j = try jail("j", in: text)
        #expect(j.valueOrDefault("sysvshm") == .list(["disable"]))
        #expect(j.valueOrDefault("mount.devfs") == .bool(false))
        #expect(j.valueOrDefault("allow.set_hostname") == .bool(false))
    }
}
