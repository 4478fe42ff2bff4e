import Testing

@testable import Rctl

@Suite struct SuggestionTests {
    @Test func nearestName() {
        let resources = Resource.allCases.map(\.rawValue)
        #expect(suggestion(for: "memuse", among: resources) == "memoryuse")
        #expect(suggestion(for: "memory", among: resources) == "memoryuse")
        #expect(suggestion(for: "maxprocs", among: resources) == "maxproc")
        #expect(suggestion(for: "openfile", among: resources) == "openfiles")
        #expect(suggestion(for: "vmemuse", among: resources) == "vmemoryuse")
        #expect(suggestion(for: "wallclok", among: resources) == "wallclock")
        #expect(suggestion(for: "xyz", among: resources) == nil)
        // An exact name is not a suggestion.
        #expect(suggestion(for: "nthr", among: ["nthr"]) == nil)
        #expect(suggestion(for: "ltrh", among: ["nthr"]) == nil)
    }
}
