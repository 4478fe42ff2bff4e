import Glibc
import Testing

/// Issue 9: `jail nano` builds a tree holding one real Debian daemon (lighttpd) and what
/// it needs, and a jail made on that tree serves a page to the host. Address: 127.0.1.70.
extension Privileged {
@Suite struct NanoTests {
    static let base = "/var/tmp/jail-nano-test"
    static let address = "127.0.1.70", port: UInt16 = 18070

    /// lighttpd, installed from Debian's archive when missing (scripts/setup.sh installs it).
    static let lighttpd: String? = {
        let path = "/usr/sbin/lighttpd"
        if !Host.exists(path) {
            _ = run(["/usr/bin/apt-get", "install", "-y", "-q", "--no-install-recommends", "lighttpd"],
                    environment: currentEnvironment() + ["DEBIAN_FRONTEND=noninteractive"])
        }
        return Host.exists(path) ? path : nil
    }()

    /// A scratch directory with a lighttpd configuration that needs nothing of the
    /// host's /etc, and the page it serves.
    func site() -> (conf: String, page: String) {
        _ = run(["/bin/rm", "-rf", Self.base])
        for dir in ["", "/site", "/site/www"] { mkdir(Self.base + dir, 0o755) }
        let page = "served from a nanojail \(getpid())\n"
        Host.write(Self.base + "/site/www/index.html", page)
        Host.write(Self.base + "/site/lighttpd.conf", """
            server.document-root = "\(Self.base)/site/www"
            server.bind = "\(Self.address)"
            server.port = \(Self.port)
            index-file.names = ("index.html")
            mimetype.assign = (".html" => "text/html")

            """)
        return (Self.base + "/site/lighttpd.conf", page)
    }

    @Test func aNanojailOfLighttpdServesAPageToTheHost() throws {
        let lighttpd = try #require(Self.lighttpd, "lighttpd could not be installed")
        let (conf, page) = site()
        let tree = Self.base + "/tree"
        let made = jail("nano", lighttpd, "--into", tree, "--with", Self.base + "/site")
        #expect(made.status == 0 && made.stderr.isEmpty, "\(made)")
        // One line a file, with its reason; nothing of the host beyond what was named.
        let lines = made.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix(lighttpd + " ") && $0.hasSuffix("  the program") })
        #expect(lines.contains { $0.contains("libc.so.6") && $0.hasSuffix("  needed by \(lighttpd)") })
        #expect(lines.contains { $0.hasPrefix(Self.base + "/site/lighttpd.conf ") })
        #expect(!Host.exists(tree + "/etc"), "nothing of the host's /etc was asked for")
        #expect(!Host.exists(tree + "/bin/sh"))

        // Copies, never links to the host's inodes.
        var copy = stat(), host = stat()
        for path in [lighttpd, "/lib/x86_64-linux-gnu/libc.so.6", conf] where stat(path, &host) == 0 {
            #expect(stat(tree + path, &copy) == 0, "\(path)")
            #expect(copy.st_ino != host.st_ino && copy.st_nlink == 1, "\(path)")
        }

        // Twice: the same tree, nothing rewritten.
        let again = jail("nano", "-v", lighttpd, "--into", tree, "--with", Self.base + "/site")
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(" [unchanged]") }, "\(again)")
        #expect(again.stdout.split(separator: "\n").count == lines.count)

        // As the issue runs it: the daemon in the foreground as the jail's command.
        let environment = currentEnvironment() + ["JAIL_CGROUP_PARENT=jail-test", "JAIL_RCTL_CONF=\(Host.rctlConf)"]
        let daemon = Background([Host.jailBinary, "-c", "name=nano-www", "path=\(tree)", "ip4.addr=\(Self.address)",
                                 "command=\(lighttpd)", "-D", "-f", conf], environment: environment)
        defer {
            _ = jail("-r", "nano-www")
            _ = daemon.finish()
        }
        let response = Self.get(Self.address, Self.port, "/")
        #expect(response.hasPrefix("HTTP/1.0 200") || response.hasPrefix("HTTP/1.1 200"), "\(response)")
        #expect(response.hasSuffix("\r\n\r\n" + page), "\(response)")
        let removed = jail("-r", "nano-www")
        #expect(removed.status == 0, "\(removed)")
    }

    @Test func badInputFailsWithOneLineAndWritesNothing() throws {
        _ = run(["/bin/rm", "-rf", Self.base])
        mkdir(Self.base, 0o755)
        // A program linked to a library that is gone.
        let source = Self.base + "/gone.c", program = Self.base + "/needs-gone"
        Host.write(source, "int gone(void) { return 0; }\n")
        _ = run(["/usr/bin/cc", "-shared", "-fPIC", "-o", Self.base + "/libgone.so", source])
        Host.write(Self.base + "/main.c", "int gone(void);\nint main(void) { return gone(); }\n")
        let built = run(["/usr/bin/cc", "-o", program, Self.base + "/main.c", "-L", Self.base, "-lgone"])
        #expect(built.status == 0, "\(built)")
        unlink(Self.base + "/libgone.so")
        let tree = Self.base + "/tree"
        Host.write(Self.base + "/file", "x")
        let cases: [([String], String)] = [
            ([program, "--into", tree], "jail: nano: libgone.so, needed by `\(program)`: not found"),
            (["/etc/passwd", "--into", tree], "jail: nano: `/etc/passwd`: not an ELF file"),
            (["/bin/ls", "--into"], "jail: nano: --into needs a directory"),
            (["/bin/ls", "--into", Self.base + "/file"], "jail: nano: --into `\(Self.base)/file`: not a directory"),
            (["/bin/ls", "--into", tree, "--with", "/dev/null"], "jail: nano: `/dev/null`: a device node, refused"),
            (["/bin/ls", "--into", tree, "--nss"],
             "jail: nano: --nss: no /etc/nsswitch.conf among the --with files (add --with /etc/nsswitch.conf)"),
        ]
        for (args, message) in cases {
            let r = run([Host.jailBinary, "nano"] + args)
            #expect(r.status == 1 && r.stdout.isEmpty && r.stderr == message + "\n", "\(args): \(r)")
            #expect(!Host.exists(tree), "\(args): the tree was started")
        }
    }

    /// An HTTP/1.0 GET with plain sockets; the whole response, or "" after 5 s of refusals.
    static func get(_ address: String, _ port: UInt16, _ path: String) -> String {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sin.sin_addr)
        for _ in 0..<50 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(fd) }
            let connected = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                usleep(100_000)
                continue
            }
            let request = "GET \(path) HTTP/1.0\r\nHost: \(address)\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var out: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            while true {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                out += buf[0..<n]
            }
            return String(decoding: out, as: UTF8.self)
        }
        return ""
    }
}
}
