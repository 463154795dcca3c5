#!/usr/bin/env bash
# Runs every test suite: Swift (XCTest, release build) and the Jupyter client tests (Python venv).
# Ends with one line summing all suites: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
echo "== swift test (release)"
# Its own scratch folder: the tests need the shared Swift runtime, the product (setup.sh) links it in.
swift test -c release -Xswiftc -enable-testing --scratch-path .build/tests 2>&1 | tee "$log" | grep -E "error:|failed|Executed [0-9]+ tests|^Test Suite '.*Tests' (passed|failed)" 
swift_status=${PIPESTATUS[0]}
# XCTest prints one "Executed N tests, with [K tests skipped and] M failures" per suite; the last is the total.
total_line=$(grep -E "Executed [0-9]+ tests?, with" "$log" | tail -1)
s_total=$(echo "$total_line" | sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p')
s_skipped=$(echo "$total_line" | sed -nE 's/.* ([0-9]+) tests? skipped.*/\1/p')
s_failed=$(echo "$total_line" | sed -nE 's/.* ([0-9]+) failures?.*/\1/p')
s_total=${s_total:-0}; s_skipped=${s_skipped:-0}; s_failed=${s_failed:-0}
if [ "$swift_status" -ne 0 ] && [ "$s_failed" -eq 0 ]; then s_failed=1; fi

echo "== jupyter client tests"
j_passed=0; j_failed=0; j_skipped=0
if [ -x Tests/jupyter/run.sh ] || [ -f Tests/jupyter/run.sh ]; then
    jlog=$(mktemp)
    bash Tests/jupyter/run.sh 2>&1 | tee "$jlog" | tail -40
    j_status=${PIPESTATUS[0]}
    line=$(grep -E "[0-9]+ passed" "$jlog" | tail -1)
    j_passed=$(echo "$line" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+" || echo 0)
    j_failed=$(echo "$line" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 0)
    j_skipped=$(echo "$line" | grep -oE "[0-9]+ skipped" | grep -oE "[0-9]+" || echo 0)
    j_passed=${j_passed:-0}; j_failed=${j_failed:-0}; j_skipped=${j_skipped:-0}
    if [ "$j_status" -ne 0 ] && [ "$j_failed" -eq 0 ]; then j_failed=1; fi
fi

s_passed=$(( s_total - s_failed - s_skipped ))
passed=$(( s_passed + j_passed ))
failed=$(( s_failed + j_failed ))
skipped=$(( s_skipped + j_skipped ))
echo "swift: $s_passed passed, $s_failed failed, $s_skipped skipped; jupyter: $j_passed passed, $j_failed failed, $j_skipped skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
