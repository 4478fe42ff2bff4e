import Jails
// TEMPORARY until JailConf.CommandLineParams lands.
struct WordParams: JailParameterSource {
    var values: [String: [String]] = [:]
    var bools: [String: Bool] = [:]
    var warnings: [String] = []
    static func parse(_ words: [String]) throws -> WordParams {
        var p = WordParams()
        for w in words {
            if let eq = w.firstIndex(of: "=") {
                p.values[String(w[..<eq])] = [String(w[w.index(after: eq)...])]
            } else {
                var parts = w.split(separator: ".").map(String.init)
                if var last = parts.popLast(), last.hasPrefix("no") { last.removeFirst(2); parts.append(last); p.bools[parts.joined(separator: ".")] = false }
                else { p.bools[w] = true }
            }
        }
        return p
    }
    func string(_ n: String) -> String? { values[n]?.last }
    func strings(_ n: String) -> [String] { values[n] ?? [] }
    func bool(_ n: String) -> Bool? { if let b = bools[n] { return b }; if let v = values[n]?.last { return v == "true" || v == "1" }; return nil }
    func int(_ n: String) -> Int? { values[n]?.last.flatMap { Int($0) } }
}
