#!/usr/bin/env bash
# The whole test suite: unit tests everywhere, and as root every test that creates real
# jails; then the jail.conf parser's fuzz target for a minute.
source "$(dirname "$0")/setup.sh"
swift build --build-tests
swift test
if [ -x fuzz/run.sh ]; then
    fuzz/run.sh "${FUZZ_SECONDS:-60}"
fi
