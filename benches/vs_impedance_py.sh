#!/usr/bin/env bash
# impedance.py against sigmafit on the same spectra, unit weighting:
# impedance.py's CustomCircuit.fit from a hand-made start (benches/vs_impedance_py.py),
# sigmafit's whole CLI with no start (`fit --json --circuit C --weighting unit`, COPIES
# copies of the file in one call, divided by their number). Medians of ROUNDS.
# impedance.py comes from PyPI into a virtual environment made here (VENV), with pandas,
# which impedance 1.7.1 imports without declaring it.
#
# usage: benches/vs_impedance_py.sh [ROUNDS] [COPIES] [BINARY]  (defaults 15, 200,
# ${CARGO_TARGET_DIR:-target}/release/sigmafit)
set -euo pipefail
rounds=${1:-15}
copies=${2:-200}
bin=${3:-${CARGO_TARGET_DIR:-target}/release/sigmafit}
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$here/target/vs-impedance-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'from impedance.models.circuits import CustomCircuit' 2>/dev/null || "$venv/bin/pip" install -q impedance pandas
echo "impedance.py $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("impedance"))'), fit from a hand-made start:"
"$venv/bin/python" "$here/benches/vs_impedance_py.py" "$here/tests/data/real" "$rounds"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "sigmafit, whole CLI, no start, $copies copies per call:"
for case in "dummy_R_RC_circuit2|R0-p(R1,CPE1)" "dummy_R_RC_circuit3|R0-p(R1,CPE1)" \
    "versastudio_two_arcs|R0-p(R1,CPE1)-p(R2,CPE2)"; do
    name=${case%%|*} circuit=${case#*|}
    mkdir -p "$dir/$name"
    for ((i = 0; i < copies; i++)); do cp "$here/tests/data/real/$name.csv" "$dir/$name/c$i.csv"; done
    files=("$dir/$name"/c*.csv)
    rss=$("$bin" fit --json --circuit "$circuit" --weighting unit "${files[0]}" |
        python3 -c 'import json,sys; print("%.6e" % json.load(sys.stdin)[0]["stats"]["rss"])')
    declare -a t=()
    for ((r = 0; r < 5; r++)); do
        s=$(date +%s%N)
        "$bin" fit --json --circuit "$circuit" --weighting unit "${files[@]}" >/dev/null
        e=$(date +%s%N)
        t+=($(((e - s) / 1000)))
    done
    m=$(printf '%s\n' "${t[@]}" | median)
    printf '%s\t%s\t%s µs\trss %s\n' "$name" "$circuit" "$((m / copies))" "$rss"
done
