#!/usr/bin/env bash
# The whole test suite: the jail.conf parser's fuzz target for a minute, then the unit
# tests everywhere and, as root, every test that creates real jails.
source "$(dirname "$0")/setup.sh"
fuzz/run.sh "${FUZZ_SECONDS:-60}" > .build-fuzz.log 2>&1 || { tail -40 .build-fuzz.log; exit 1; }
tail -3 .build-fuzz.log
swift build --build-tests
swift test
