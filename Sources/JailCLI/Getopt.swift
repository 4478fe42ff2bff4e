/// getopt(3) as FreeBSD's tools use it: options end at the first operand or at "--",
/// grouped flags ("-rc") and attached or separate option arguments ("-fFILE", "-f FILE").
struct Getopt {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var options: [(flag: Character, argument: String?)] = []
    private(set) var operands: [String] = []

    init(_ args: [String], spec: String, program: String) throws(Failure) {
        var takesArgument: [Character: Bool] = [:]
        var chars = Array(spec)
        while !chars.isEmpty {
            let c = chars.removeFirst()
            let arg = chars.first == ":"
            if arg { chars.removeFirst() }
            takesArgument[c] = arg
        }
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" { i += 1; break }
            guard a.hasPrefix("-"), a.count > 1 else { break }
            var rest = Substring(a.dropFirst())
            while let c = rest.first {
                rest = rest.dropFirst()
                guard let needs = takesArgument[c] else {
                    throw Failure(description: "\(program): illegal option -- \(c)")
                }
                if !needs {
                    options.append((c, nil))
                    continue
                }
                if !rest.isEmpty {
                    options.append((c, String(rest)))
                } else if i + 1 < args.count {
                    i += 1
                    options.append((c, args[i]))
                } else {
                    throw Failure(description: "\(program): option requires an argument -- \(c)")
                }
                break
            }
            i += 1
        }
        operands = Array(args[i...])
    }

    func has(_ c: Character) -> Bool { options.contains { $0.flag == c } }
    func value(_ c: Character) -> String? { options.last { $0.flag == c }?.argument }
}
