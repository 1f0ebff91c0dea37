"""Clustering scores against a known truth: pairwise precision/recall/F1 and B-cubed.

Both take two labellings of the same items (item -> predicted cluster, item -> true entity).
Pairwise counts come from the contingency table, so scoring a million items is cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def __str__(self) -> str:
        return f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f}"


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """Precision and recall over pairs of items put in one cluster."""
    items = predicted.keys() & truth.keys()
    both = Counter((predicted[i], truth[i]) for i in items)
    pred = Counter(predicted[i] for i in items)
    true = Counter(truth[i] for i in items)
    tp = sum(_pairs(n) for n in both.values())
    p_all = sum(_pairs(n) for n in pred.values())
    t_all = sum(_pairs(n) for n in true.values())
    precision = tp / p_all if p_all else 1.0
    recall = tp / t_all if t_all else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """B-cubed: per item, the share of its predicted cluster that is truly its entity, and back."""
    items = predicted.keys() & truth.keys()
    if not items:
        return Scores(1.0, 1.0, 1.0)
    both = Counter((predicted[i], truth[i]) for i in items)
    pred = Counter(predicted[i] for i in items)
    true = Counter(truth[i] for i in items)
    precision = sum(n * n / pred[p] for (p, _), n in both.items()) / len(items)
    recall = sum(n * n / true[t] for (_, t), n in both.items()) / len(items)
    return Scores(precision, recall, _f1(precision, recall))


def pair_scores(predicted_pairs: set[tuple[str, str]], true_pairs: set[tuple[str, str]]) -> Scores:
    """Precision/recall of a set of linked pairs (each pair ordered) against the true pairs."""
    tp = len(predicted_pairs & true_pairs)
    precision = tp / len(predicted_pairs) if predicted_pairs else 1.0
    recall = tp / len(true_pairs) if true_pairs else 1.0
    return Scores(precision, recall, _f1(precision, recall))
