"""The `lifetimes` baseline of the benchmarks: fits BG/NBD with lifetimes' BetaGeoFitter to a CSV of
(frequency, recency, T) written by the Java benchmark (com.ecomcrm.bench.baseline.HistoryCsv), one row per customer,
and prints one JSON object: the parameters, the log-likelihood at them, and the seconds of the fit alone, wall clock
and CPU time of the whole process (reading the CSV is timed separately). Run with the venv of bin/lifetimes-env:

    var/venv-lifetimes/bin/python bench/lifetimes/fit_bgnbd.py customers.csv
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter


def main(path):
    started = time.perf_counter()
    data = pd.read_csv(path, dtype={"frequency": np.int64, "recency": np.float64, "T": np.float64})
    read_seconds = time.perf_counter() - started

    fitter = BetaGeoFitter(penalizer_coef=0.0)
    started = time.perf_counter()
    cpu_started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(data["frequency"], data["recency"], data["T"])
    fit_seconds = time.perf_counter() - started
    fit_cpu_seconds = time.process_time() - cpu_started

    params = fitter.params_
    r, alpha, a, b = (float(params[name]) for name in ("r", "alpha", "a", "b"))
    # lifetimes minimises the mean negative log-likelihood; report the total, as the Java fit does.
    log_likelihood = float(-BetaGeoFitter._negative_log_likelihood(
        np.log([r, alpha, a, b]), data["frequency"].values, data["recency"].values, data["T"].values,
        np.ones(len(data)), 0.0) * len(data))
    print(json.dumps({
        "customers": int(len(data)),
        "r": r, "alpha": alpha, "a": a, "b": b,
        "log_likelihood": log_likelihood,
        "read_seconds": read_seconds,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
    }))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: fit_bgnbd.py CUSTOMERS_CSV")
    main(sys.argv[1])
