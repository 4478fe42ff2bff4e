import Glibc
import SystemPackage

/// A failed system call: what was attempted, the errno it returned and the path it was about.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var operation: String
    public var errno: Errno
    public var path: FilePath?

    public init(_ operation: String, _ errno: Errno, path: FilePath? = nil) {
        self.operation = operation
        self.errno = errno
        self.path = path
    }

    /// FreeBSD's wording: lowercase, no final period, the path quoted.
    public var description: String {
        let message = Self.message(errno)
        if let path { return "\(operation) `\(path)`: \(message)" }
        return "\(operation): \(message)"
    }

    public static func message(_ errno: Errno) -> String {
        guard let text = unsafe strerror(errno.rawValue) else { return "error \(errno.rawValue)" }
        var message = unsafe String(cString: text)
        if let first = message.first, first.isUppercase,
           message.dropFirst().first.map({ !$0.isUppercase }) ?? true {
            message = first.lowercased() + message.dropFirst()
        }
        return message
    }
}

/// Runs a system call that returns -1 and sets errno on failure, retrying EINTR here and
/// nowhere else; errno is read right after the call, before anything can overwrite it.
@inline(__always)
public func syscall<T: BinaryInteger>(
    _ operation: String, path: FilePath? = nil, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let err = Errno(rawValue: Glibc.errno)
        if err == .interrupted { continue }
        throw SystemError(operation, err, path: path)
    }
}
