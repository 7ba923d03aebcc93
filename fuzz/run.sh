#!/bin/sh
# fuzz/run.sh [seconds] [target]: build a libFuzzer target into build-fuzz/ (clang, ASan+UBSan) and fuzz it for the
# given time (default 60 s). Targets (fuzz/CMakeLists.txt):
#   json      (default) the JSON decoder, and the encoder on what it accepts. Corpus build-fuzz/corpus, seeded from
#             spec/fixtures/JSONTestSuite/test_parsing, fuzz/json-seeds/ (deep nesting, numbers out of range),
#             spec/fixtures/*.json and spec/fixtures/fuzz-regressions/
#   envelope  the response path, raw HTTP response -> libcurl -> C core -> Lua classification. Corpus
#             build-fuzz/corpus-envelope, seeded from fuzz/envelope-seeds/ and spec/fixtures/fuzz-regressions/envelope-*
# Every saved regression input is replayed first (it is in the corpus). Exits non-zero on any finding (the input is
# left in build-fuzz/artifacts/ as <target>-crash-* / -leak-* / -timeout-* / -oom-*); prints one line on success:
# "fuzz_<target>: no findings, N executions in S s (C corpus files)".
# Environment: XINGTU_FUZZ_BUILD, the build directory (default build-fuzz; corpus and artifacts go there too), and
# XINGTU_FUZZ_LUA, a Lua build to link instead of the system's (a directory with include/ and liblua.a, made with
# clang: .ci/apicheck passes its Lua with LUA_USE_APICHECK).
set -eu

seconds=${1:-60}
target=${2:-json}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${XINGTU_FUZZ_BUILD:-build-fuzz}
lua_dir=${XINGTU_FUZZ_LUA:-}
suite=spec/fixtures/JSONTestSuite/test_parsing

case $target in
    json) corpus=$build/corpus ;;
    envelope) corpus=$build/corpus-envelope ;;
    *) echo "fuzz/run.sh: unknown target $target (json or envelope)" >&2; exit 2 ;;
esac

# Configure (first time with clang; later runs only pick up CMakeLists changes) and build incrementally.
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=${CC:-clang} cmake -S . -B "$build" -DXINGTU_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DXINGTU_FUZZ_LUA="$lua_dir" >/dev/null
else
    cmake -S . -B "$build" -DXINGTU_FUZZ_LUA="$lua_dir" >/dev/null
fi
cmake --build "$build" --target "fuzz_$target" -j 2 >/dev/null

mkdir -p "$corpus" "$build/artifacts"
if [ "$target" = json ]; then
    if [ -d "$suite" ]; then
        cp "$suite"/*.json "$corpus/" 2>/dev/null || true
    else
        echo "fuzz/run.sh: $suite not found; seeding from spec/fixtures only" >&2
    fi
    for f in fuzz/json-seeds/* spec/fixtures/*.json spec/fixtures/fuzz-regressions/*; do
        case $f in */envelope-*) continue ;; esac
        [ -f "$f" ] && cp "$f" "$corpus/"
    done
else
    for f in fuzz/envelope-seeds/* spec/fixtures/fuzz-regressions/envelope-*; do
        [ -f "$f" ] && cp "$f" "$corpus/"
    done
fi

log="$build/fuzz-$target.log"
status=0
"$build/fuzz/fuzz_$target" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?

done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
    grep -E -A 40 'ERROR: |fuzz_[a-z]+: ' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    echo "fuzz/run.sh: fuzz_$target FAILED (exit $status); inputs in $build/artifacts/, log in $log" >&2
    exit 1
fi
runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
echo "fuzz_$target: no findings, $runs executions in $secs s ($(ls "$corpus" | wc -l) corpus files)"
