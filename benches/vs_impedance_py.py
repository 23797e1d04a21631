"""Times impedance.py's CustomCircuit.fit from a hand-made start on the repository's real
spectra (unit weighting, impedance.py's default) and prints the medians with the fitted
residual rss = sum |Z_fit - Z|^2. Run by benches/vs_impedance_py.sh inside its venv."""
import csv, statistics, sys, time
import numpy as np
from impedance.models.circuits import CustomCircuit

REAL = sys.argv[1]
ROUNDS = int(sys.argv[2])
# (spectrum, circuit, hand-made start: read off the Nyquist plot by eye)
CASES = [
    ("dummy_R_RC_circuit2", "R0-p(R1,CPE1)", [150, 500, 3e-8, 0.95]),
    ("dummy_R_RC_circuit3", "R0-p(R1,CPE1)", [1500, 4600, 2e-8, 0.95]),
    ("versastudio_two_arcs", "R0-p(R1,CPE1)-p(R2,CPE2)", [10, 20, 1e-5, 0.8, 100, 1e-3, 0.8]),
]
for name, circuit, start in CASES:
    with open(f"{REAL}/{name}.csv") as fh:
        rows = [r for r in csv.reader(fh)][1:]
    f = np.array([float(r[0]) for r in rows])
    z = np.array([float(r[1]) + 1j * float(r[2]) for r in rows])
    times = []
    for _ in range(ROUNDS):
        model = CustomCircuit(circuit, initial_guess=start)
        t0 = time.perf_counter()
        model.fit(f, z)
        times.append(time.perf_counter() - t0)
    rss = float(np.sum(np.abs(model.predict(f) - z) ** 2))
    print(f"{name}\t{circuit}\t{statistics.median(times) * 1e3:.1f} ms\trss {rss:.6e}")
