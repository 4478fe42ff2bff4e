#!/bin/sh
# Build the jail.conf libFuzzer target and run it for SECONDS (default 60).
#
#   fuzz/run.sh 600
#
# Seeds come from fuzz/corpus (examples from jail.conf(5), jail(8), the Handbook and the
# tests); new inputs and any crash go to fuzz/.build (ignored by git). A crash leaves
# fuzz/.build/artifacts/crash-*: add it as a regression test in
# Tests/JailConfTests/FuzzRegressionTests.swift, then fix the bug. The script exits non-zero
# when libFuzzer finds a crash, a hang (-timeout) or runs out of memory.
set -eu

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/.build"
mkdir -p "$out/corpus" "$out/artifacts"

swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name JailConfFuzz \
    "$root"/Sources/Messages/*.swift "$root"/Sources/JailConf/*.swift "$here/FuzzEntry.swift" \
    -o "$out/jailconf-fuzz"

# The Swift runtime's own crash reporter would compete with libFuzzer's (and can hang).
SWIFT_BACKTRACE=enable=no exec "$out/jailconf-fuzz" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" -dict="$here/jailconf.dict" \
    "$out/corpus" "$here/corpus"
