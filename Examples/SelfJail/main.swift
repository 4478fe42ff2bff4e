// A daemon that jails itself: it reads its configuration with the whole host in view,
// enters a jail bound to its address, drops to an unprivileged user, and then serves one
// line per TCP connection from inside.
//
//   selfjail-example /etc/greeter.conf
//
// The configuration holds key=value lines: root (the jail's tree), address, port,
// greeting, and optionally name and uid.
import Glibc
import Jails

func readConfig(_ path: String) -> [String: String] {
    guard let file = fopen(path, "r") else { fatal("\(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var config: [String: String] = [:]
    var line = [CChar](repeating: 0, count: 1024)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let eq = text.firstIndex(of: "=") { config[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
    }
    return config
}

func fatal(_ message: String) -> Never {
    let line = Array("selfjail-example: \(message)\n".utf8)
    _ = write(2, line, line.count)
    exit(1)
}

let config = readConfig(CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/etc/greeter.conf")
guard let root = config["root"], let address = config["address"], let port = config["port"].flatMap(UInt16.init) else {
    fatal("the configuration needs root, address and port")
}
let name = config["name"] ?? "greeter"
// From here on: jailed, like FreeBSD's jail(2).
do { try Jail.enter(["name": name, "path": root, "host.hostname": name, "ip4.addr": address]) } catch {
    fatal("\(error)")
}
// Privileged work is done: the usual next step is to become nobody.
if let uid = config["uid"].flatMap(UInt32.init), setgid(uid) != 0 || setuid(uid) != 0 { fatal("setuid \(uid)") }

let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
var one: Int32 = 1
setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
var sin = sockaddr_in()
sin.sin_family = sa_family_t(AF_INET)
sin.sin_port = port.bigEndian       // the wildcard address: the jail makes it its own
let bound = withUnsafePointer(to: &sin) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
}
guard bound == 0, listen(server, 16) == 0 else { fatal("listen: \(String(cString: strerror(errno)))") }
print("serving")
fflush(nil)
let reply = Array(((config["greeting"] ?? "hello") + "\n").utf8)
while true {
    let client = accept(server, nil, nil)
    if client < 0 { continue }
    _ = write(client, reply, reply.count)
    close(client)
}
