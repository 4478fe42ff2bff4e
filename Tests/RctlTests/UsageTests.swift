import Testing

@testable import Rctl

/// `rctl -u` lines: KR rctl_racct_to_sbuf prints `%s=%jd` in resource order; RC
/// humanize_usage_amount humanizes every line with -h.
@Suite struct UsageTests {
    @Test func freeBSDOrderWhateverTheInput() {
        let values: [Resource: UInt64] = [
            .writeiops: 3, .cputime: 12, .memoryuse: 536_870_912, .maxproc: 7, .pcpu: 150,
        ]
        #expect(
            Usage.lines(values, human: false) == [
                "cputime=12", "memoryuse=536870912", "maxproc=7", "pcpu=150", "writeiops=3",
            ])
        #expect(Usage.lines([:], human: true).isEmpty)
    }

    @Test func humanizedLikeRctlHu() {
        let values: [Resource: UInt64] = [
            .cputime: 36000, .memoryuse: 536_870_912, .maxproc: 12, .openfiles: 10000, .pcpu: 150,
            .readbps: 10 << 30, .swapuse: 0,
        ]
        #expect(
            Usage.lines(values, human: true) == [
                "cputime=35K", "memoryuse=512M", "maxproc=12", "openfiles=9.8K", "swapuse=0", "pcpu=150",
                "readbps=10G",
            ])
    }
}
