@testable import Jails
import Testing

@Suite struct DebootstrapProgressTests {
    /// debootstrap 1.0.128's output for bookworm, shortened.
    static let output = """
        I: Retrieving InRelease 
        I: Checking Release signature
        I: Valid Release signature (key id 4D64FEC119C2029067D6E791F8D2585B8783D481)
        I: Retrieving Packages 
        I: Validating Packages 
        I: Resolving dependencies of required packages...
        I: Resolving dependencies of base packages...
        I: Checking component main on http://deb.debian.org/debian...
        I: Retrieving adduser 3.134
        I: Validating adduser 3.134
        I: Retrieving apt 2.6.1
        I: Validating apt 2.6.1
        W: Something odd
        I: Chosen extractor for .deb packages: dpkg-deb
        I: Extracting adduser...
        I: Extracting apt...
        I: Installing core packages...
        I: Unpacking required packages...
        I: Unpacking adduser...
        I: Unpacking apt...
        I: Configuring required packages...
        I: Configuring adduser...
        I: Unpacking the base system...
        I: Unpacking ca-certificates...
        I: Configuring the base system...
        I: Configuring ca-certificates...
        I: Base system installed successfully.
        """

    @Test func condensed() {
        var p = DebootstrapProgress()
        let updates = Self.output.split(separator: "\n").compactMap { p.line(String($0)) }
        #expect(updates == [
            .stage("bootstrap: retrieving the package lists"),
            .stage("bootstrap: resolving dependencies"),
            .stage("bootstrap: retrieving packages (1)"),
            .count("bootstrap: retrieving packages (2)"),
            .note("bootstrap: warning: Something odd"),
            .stage("bootstrap: extracting the required packages (1)"),
            .count("bootstrap: extracting the required packages (2)"),
            .stage("bootstrap: installing the core packages"),
            .stage("bootstrap: unpacking required packages"),
            .count("bootstrap: unpacking required packages (1)"),
            .count("bootstrap: unpacking required packages (2)"),
            .stage("bootstrap: configuring required packages"),
            .count("bootstrap: configuring required packages (1)"),
            .stage("bootstrap: unpacking the base system"),
            .count("bootstrap: unpacking the base system (1)"),
            .stage("bootstrap: configuring the base system"),
            .count("bootstrap: configuring the base system (1)"),
        ])
        #expect(p.finished)
        #expect(p.errors.isEmpty)
    }

    @Test func errorsAreKept() {
        var p = DebootstrapProgress()
        #expect(p.line("E: Failed getting release file http://deb.debian.org/debian/dists/nosuch/InRelease") == nil)
        #expect(p.errors == ["Failed getting release file http://deb.debian.org/debian/dists/nosuch/InRelease"])
        #expect(!p.finished)
    }
}

@Suite struct DebianMirrorTests {
    @Test func deb822() {
        let text = """
            Types: deb-src
            URIs: http://src.example/debian
            Suites: bookworm

            Types: deb
            # http://snapshot.debian.org/archive/debian/20250520T000000Z
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security

            Types: deb
            URIs: http://disabled.example/debian
            Enabled: no

            Types: deb deb-src
            URIs:
             http://ftp.fr.debian.org/debian/
             http://deb.debian.org/debian
            Suites: bookworm bookworm-updates
            Components: main
            """
        #expect(DebianMirror.from(sources: text, list: nil) == "http://ftp.fr.debian.org/debian")
    }

    @Test func sourcesList() {
        let text = """
            # deb http://commented.example/debian bookworm main
            deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://archive.ubuntu.com/ubuntu jammy main
            deb http://security.debian.org/debian-security bookworm-security main
            deb [ trusted=yes ] https://mirror.example/debian/ bookworm main
            """
        #expect(DebianMirror.from(sources: nil, list: text) == "https://mirror.example/debian")
        #expect(DebianMirror.from(sources: "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu\n", list: nil) == nil)
        #expect(DebianMirror.from(sources: nil, list: nil) == nil)
    }
}

@Suite struct DebianRequestTests {
    @Test func packagesAndMarker() {
        var d = DebianBootstrap(release: "bookworm", target: "/jails/base")
        d.include = ["vim", "openssh-server"]
        #expect(d.packages == ["systemd-sysv", "openssh-server", "iproute2", "ca-certificates", "vim"])
        #expect(d.request(mirror: "http://m/debian") == """
            debian bookworm
            mirror http://m/debian
            include systemd-sysv,openssh-server,iproute2,ca-certificates,vim
            variant default

            """)
    }

    @Test func packageNames() {
        for ok in ["vim", "g++", "libc6", "python3.11", "0ad"] { #expect(Bootstrap.isPackageName(ok), "\(ok)") }
        for bad in ["", "a", "Vim", "-x", "a b", "a;b", "../x"] { #expect(!Bootstrap.isPackageName(bad), "\(bad)") }
    }

    @Test func targets() throws {
        let t = try BootstrapTarget("/jails//base/")
        #expect(t.path == "/jails/base")
        #expect(t.partial == "/jails/.base.partial")
        #expect(t.log == "/jails/.base.bootstrap.log")
        #expect(t.cache == "/jails/.base.bootstrap-cache")
        #expect(try BootstrapTarget("/top").partial == "/.top.partial")
        #expect(throws: JailError.self) { try BootstrapTarget("/") }
        #expect(throws: JailError.self) { try BootstrapTarget("/jails/../etc") }
    }
}
