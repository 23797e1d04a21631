#!/usr/bin/env bash
# Wall time of `sigmafit fit` on inputs at and beyond the import caps (MAX_POINTS,
# MAX_FILE_BYTES), median of 5 runs each, against a 71-point spectrum in the same run.
# Usage: CARGO_TARGET_DIR=... cargo build --release && benches/import_caps.sh
set -euo pipefail
bin="${CARGO_TARGET_DIR:-target}/release/sigmafit"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import math, sys
d = sys.argv[1]
def arc(f):
    x = 2 * math.pi * f * 930.0 * 4e-9
    return 50.0 + 930.0 / (1 + x * x), -930.0 * x / (1 + x * x)
for name, n in [("p71", 71), ("p20000", 20000), ("p300000", 300000)]:
    with open(f"{d}/{name}.csv", "w") as out:
        out.write("freq,Zre,Zim\n")
        for i in range(n):
            f = 1e6 * 10 ** (-7 * i / n)
            re, im = arc(f)
            out.write(f"{f:.9e},{re:.9e},{im:.9e}\n")
with open(f"{d}/big21MB.csv", "w") as out:
    out.write("1" * 21_000_000)
PY
median() { sort -n | sed -n 3p; }
TIMEFORMAT=%3R
for name in p71 p20000 p300000 big21MB; do
  seconds=$(for _ in 1 2 3 4 5; do
    { time "$bin" fit "$dir/$name.csv" >/dev/null 2>&1 || true; } 2>&1
  done | median)
  outcome=$("$bin" fit "$dir/$name.csv" 2>&1 >/dev/null | head -1 || true)
  echo "$name: median ${seconds} s ${outcome:+($outcome)}"
done
