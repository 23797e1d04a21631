#!/usr/bin/env bash
# Issue 11 timings through the whole CLI (read, parse, fit, report, JSON):
#
# 1. Per fit: `sigmafit fit --json --circuit 'R0-p(R1,CPE1)' --weighting unit` over COPIES
#    copies of the 56-point dummy_R_RC_circuit2 in one call, divided by their number;
#    in the same rounds the baseline `sigmafit fit --json --circuit semicircle` (the
#    preset, same shape, one descent) and `cat` of the files.
# 2. The global search per circuit: each spectrum-circuit pair of the goal test
#    (tests/data/global_search_reference.csv) in both weightings, 20 copies of its file
#    per call: the starts it took, how many reached the best, and the median time per fit.
#
# usage: benches/search.sh [ROUNDS] [COPIES] [BINARY]   (defaults 7, 200,
# ${CARGO_TARGET_DIR:-target}/release/sigmafit); build first with `cargo build --release`.
set -euo pipefail

rounds=${1:-7}
copies=${2:-200}
bin=${3:-${CARGO_TARGET_DIR:-target}/release/sigmafit}
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release first" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
real=$here/tests/data/real
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_us() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
copy() { # name -> copies of it in $dir/name/
    mkdir -p "$dir/$1"
    for ((i = 0; i < copies; i++)); do cp "$real/$1.csv" "$dir/$1/c$i.csv"; done
}

copy dummy_R_RC_circuit2
files=("$dir"/dummy_R_RC_circuit2/c*.csv)
cat "${files[@]}" >/dev/null
declare -a t_cat t_preset t_typed ratio
for ((r = 0; r < rounds; r++)); do
    c=$(time_us cat "${files[@]}")
    p=$(time_us "$bin" fit --json --circuit semicircle --weighting unit "${files[@]}")
    t=$(time_us "$bin" fit --json --circuit 'R0-p(R1,CPE1)' --weighting unit "${files[@]}")
    t_cat+=("$c") t_preset+=("$p") t_typed+=("$t")
    ratio+=("$(awk -v a="$t" -v b="$p" 'BEGIN {printf "%.3f", a / b}')")
done
per() { awk -v t="$1" -v n="$copies" 'BEGIN {printf "%.0f", t / n}'; }
echo "per fit, $copies copies of dummy_R_RC_circuit2 per call, median of $rounds rounds:"
echo "  cat:                                              $(per "$(printf '%s\n' "${t_cat[@]}" | median)") µs per file"
echo "  fit --circuit semicircle --weighting unit:        $(per "$(printf '%s\n' "${t_preset[@]}" | median)") µs per file"
echo "  fit --circuit 'R0-p(R1,CPE1)' --weighting unit:   $(per "$(printf '%s\n' "${t_typed[@]}" | median)") µs per file"
echo "  typed / preset, median of per-round ratios:       $(printf '%s\n' "${ratio[@]}" | median)"

echo
echo "global search, 20 copies per call, median of $rounds rounds:"
printf '%-24s %-32s %-8s %6s %8s %12s\n' spectrum circuit weight starts at_best "µs per fit"
grep -v '^#' "$here/tests/data/global_search_reference.csv" | tail -n +2 | while IFS= read -r line; do
    name=${line%%,*}
    rest=${line#*,}
    # The circuit holds commas: the last three fields are weighting, rss, count.
    weighting=$(echo "$rest" | awk -F, '{print $(NF-2)}')
    circuit=$(echo "$rest" | awk -F, '{OFS=","; NF-=3; print}')
    [ -d "$dir/$name" ] || copy "$name"
    one=("$dir/$name"/c*.csv)
    one=("${one[@]:0:20}")
    stats=$("$bin" fit --json --circuit "$circuit" --weighting "$weighting" "${one[0]}" |
        python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats"]; print(s["starts"], s["starts_at_best"])')
    declare -a t=()
    for ((r = 0; r < rounds; r++)); do
        t+=("$(time_us "$bin" fit --json --circuit "$circuit" --weighting "$weighting" "${one[@]}")")
    done
    m=$(printf '%s\n' "${t[@]}" | median)
    read -r starts at_best <<<"$stats"
    printf '%-24s %-32s %-8s %6s %8s %12s\n' "$name" "$circuit" "$weighting" "$starts" "$at_best" "$((m / 20))"
done
