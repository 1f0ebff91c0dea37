"""Clustering scores."""

from __future__ import annotations

import pytest

from casetrail.resolution.evaluation import bcubed, pair_scores, pairwise


def test_perfect_and_split_clusterings() -> None:
    truth = {"a": 1, "b": 1, "c": 2}
    assert pairwise(truth, truth).f1 == 1.0 and bcubed(truth, truth).f1 == 1.0
    split = {"a": "x", "b": "y", "c": "z"}
    assert pairwise(split, truth).recall == 0.0 and pairwise(split, truth).precision == 1.0
    assert bcubed(split, truth).precision == 1.0
    assert bcubed(split, truth).recall == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_merged_clustering() -> None:
    truth = {"a": 1, "b": 1, "c": 2}
    merged = {"a": 0, "b": 0, "c": 0}
    assert pairwise(merged, truth).precision == pytest.approx(1 / 3)
    assert pairwise(merged, truth).recall == 1.0


def test_pair_scores() -> None:
    s = pair_scores({("a", "b"), ("c", "d")}, {("a", "b"), ("e", "f")})
    assert (s.precision, s.recall, s.f1) == (0.5, 0.5, 0.5)
