#!/usr/bin/env bash
# Time `sigmafit fit --json` over 1000 spectra of 71 points (1 MHz .. 0.1 Hz, 10 per
# decade, 0.5 % noise): half case (a) (R0-CPE0, σ 1e-3 .. 1e-1 S/cm), half case (b)
# (R1-p(R2,CPE2), σ 1e-5 .. 1e-3 S/cm), for a pellet of d = 1 mm, D = 10 mm.
# Per-file path as in a series: read, parse, analyse (auto), report, JSON.
#
# Baselines in the same run: `cat` of the files (reading only) and
# `sigmafit fit --json --circuit inductive` (one circuit, no choice). Also timed:
# `sigmafit series --json` over the same files (named as a pressure series, run n at
# 20 .. 500 MPa, loading and unloading in cycles of 50), the whole series path.
#
# usage: benches/cli_many.sh [ROUNDS] [BINARY]   (defaults: 7, $CARGO_TARGET_DIR or
# target, /release/sigmafit); build first with `cargo build --release`.
# With CLI_MANY_DIR=DIR the spectra are written to DIR and kept.
set -euo pipefail

rounds=${1:-7}
bin=${2:-${CARGO_TARGET_DIR:-target}/release/sigmafit}
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release first" >&2; exit 2; }
# CLI_MANY_DIR keeps the files there (to compare binaries on the same spectra).
if [ -n "${CLI_MANY_DIR:-}" ]; then
    dir=$CLI_MANY_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi

python3 - "$dir" <<'EOF'
import cmath, math, random, sys
out = sys.argv[1]
rng = random.Random(20261127)
f = [1e6 * 10 ** (-i / 10) for i in range(71)]
d_cm, area = 0.1, math.pi * 1.0 ** 2 / 4
def cpe(q, alpha, w):
    return 1 / (q * (1j * w) ** alpha)
for n in range(1000):
    case_a = n % 2 == 0
    log_sigma = rng.uniform(-3, -1) if case_a else rng.uniform(-5, -3)
    r_con = d_cm / (10 ** log_sigma * area)
    if case_a:
        inductance = 10 ** rng.uniform(-7, -6)
        z = lambda w: r_con + cpe(1 / inductance, -0.95, w)
    else:
        alpha = rng.uniform(0.85, 0.95)
        r1, r2 = 0.04 * r_con, 0.96 * r_con
        c = 10 ** rng.uniform(-9.5, -8.5)
        q = c ** alpha * r2 ** (alpha - 1)
        z = lambda w: r1 + 1 / (1 / r2 + 1 / cpe(q, alpha, w))
    step = n % 50
    pressure = 20 + 20 * (step if step < 25 else 49 - step)
    with open(f"{out}/s{n:04d}_{n + 1:04d}_{pressure}MPa.csv", "w") as fh:
        fh.write("freq_Hz,Zreal_ohm,Zimag_ohm\n")
        for fi in f:
            zi = z(2 * math.pi * fi)
            zi += abs(zi) * 0.005 * complex(rng.gauss(0, 1), rng.gauss(0, 1))
            fh.write(f"{fi:.6g},{zi.real:.6g},{zi.imag:.6g}\n")
EOF

files=("$dir"/s*.csv)
geometry=(--thickness-mm 1 --diameter-mm 10)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

# One warm-up of each, so that the page cache holds the files.
cat "${files[@]}" >/dev/null
"$bin" fit --json "${geometry[@]}" "${files[@]}" >"$dir/auto.json" || true
echo "files: ${#files[@]}, $(grep -c '"kind": "inductive"' "$dir/auto.json") chosen inductive," \
    "$(grep -c '"kind": "semicircle"' "$dir/auto.json") semicircle, $(grep -c '"error"' "$dir/auto.json") errors"

"$bin" series --json "${geometry[@]}" "${files[@]}" >/dev/null

declare -a t_cat t_one t_auto t_series ratio
for ((r = 0; r < rounds; r++)); do
    c=$(time_ms cat "${files[@]}")
    o=$(time_ms "$bin" fit --json --circuit inductive "${geometry[@]}" "${files[@]}")
    a=$(time_ms "$bin" fit --json "${geometry[@]}" "${files[@]}")
    s=$(time_ms "$bin" series --json "${geometry[@]}" "${files[@]}")
    t_cat+=("$c") t_one+=("$o") t_auto+=("$a") t_series+=("$s")
    ratio+=("$(awk -v a="$a" -v o="$o" 'BEGIN {printf "%.3f", a / o}')")
    echo "round $((r + 1)): cat ${c} ms, --circuit inductive ${o} ms, auto ${a} ms, series ${s} ms"
done
m_cat=$(printf '%s\n' "${t_cat[@]}" | median)
m_one=$(printf '%s\n' "${t_one[@]}" | median)
m_auto=$(printf '%s\n' "${t_auto[@]}" | median)
m_series=$(printf '%s\n' "${t_series[@]}" | median)
m_ratio=$(printf '%s\n' "${ratio[@]}" | median)
echo "median of $rounds rounds over ${#files[@]} files:"
echo "  cat:                          ${m_cat} ms"
echo "  fit --json --circuit inductive: ${m_one} ms ($((m_one * 1000 / ${#files[@]})) µs per spectrum)"
echo "  fit --json (auto):            ${m_auto} ms ($((m_auto * 1000 / ${#files[@]})) µs per spectrum)"
echo "  series --json (auto):         ${m_series} ms ($((m_series * 1000 / ${#files[@]})) µs per spectrum)"
echo "  auto / inductive, median of per-round ratios: ${m_ratio}"
