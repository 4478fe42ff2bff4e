import Glibc

/// One line on standard error, unbuffered (messages must not interleave with a jail's).
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { buf in _ = unsafe write(2, buf.baseAddress, buf.count) }
}

/// The name we were called by: jail, jls or jexec.
func programName(_ argv0: String) -> String {
    String(argv0.split(separator: "/").last ?? "jail")
}
