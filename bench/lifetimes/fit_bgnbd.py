"""The `lifetimes` baseline of the benchmarks: fits BG/NBD with lifetimes' BetaGeoFitter to a CSV of
(frequency, recency, T) written by the Java benchmark (com.ecomcrm.bench.baseline.HistoryCsv), one row per customer,
and prints one JSON object: the parameters, the log-likelihood at them, and the seconds of the fit alone, wall clock
and CPU time of the whole process (reading the CSV is timed separately). Run with the venv of bin/lifetimes-env:

    var/venv-lifetimes/bin/python bench/lifetimes/fit_bgnbd.py customers.csv [--grouped]

With --grouped the customers are first aggregated into distinct (frequency, recency, T) rows with counts by a pandas
groupby and fitted with lifetimes' `weights` (the form lifetimes documents for large data, and the aggregation our Java
fit does): the groupby is timed as part of the fit, as our grouping is. The log-likelihood is still that of every
customer.
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter


def main(path, grouped):
    started = time.perf_counter()
    data = pd.read_csv(path, dtype={"frequency": np.int64, "recency": np.float64, "T": np.float64})
    read_seconds = time.perf_counter() - started

    fitter = BetaGeoFitter(penalizer_coef=0.0)
    started = time.perf_counter()
    cpu_started = time.process_time()
    groups = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if grouped:
            counts = data.groupby(["frequency", "recency", "T"]).size().rename("weights").reset_index()
            groups = len(counts)
            fitter.fit(counts["frequency"], counts["recency"], counts["T"], weights=counts["weights"])
        else:
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
        "grouped": grouped,
        "groups": groups,
    }))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--grouped"):
        sys.exit("usage: fit_bgnbd.py CUSTOMERS_CSV [--grouped]")
    main(sys.argv[1], len(sys.argv) == 3)
