#!/bin/sh
# fuzz/run.sh [seconds]: build the libFuzzer target into build-fuzz/ (clang, ASan+UBSan) and fuzz the JSON decoder
# (and the encoder on what it accepts) for the given time (default 60 s). The corpus lives in build-fuzz/corpus,
# seeded from ../shared/conformance/JSONTestSuite/test_parsing and spec/fixtures/*.json. Exits non-zero on any finding
# (the crashing input is left in build-fuzz/ as crash-* / leak-* / timeout-* / oom-*).
set -eu

seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=build-fuzz
suite=../shared/conformance/JSONTestSuite/test_parsing

if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=${CC:-clang} cmake -S . -B "$build" -DXINGTU_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target fuzz_json -j 2 >/dev/null # incremental: a no-op when nothing changed

mkdir -p "$build/corpus" "$build/artifacts"
if [ -d "$suite" ]; then
    cp "$suite"/*.json "$build/corpus/" 2>/dev/null || true
else
    echo "fuzz/run.sh: $suite not found; seeding from spec/fixtures only" >&2
fi
for f in spec/fixtures/*.json spec/fixtures/fuzz-regressions/*; do
    [ -f "$f" ] && cp "$f" "$build/corpus/"
done

log="$build/fuzz.log"
status=0
"$build/fuzz/fuzz_json" "$build/corpus" \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?

done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
    tail -n 40 "$log" >&2
    echo "fuzz/run.sh: FAILED (exit $status); inputs in $build/artifacts/, log in $log" >&2
    exit 1
fi
runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
echo "fuzz_json: no findings, $runs executions in $secs s ($(ls "$build/corpus" | wc -l) corpus files)"
