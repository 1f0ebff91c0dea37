"""The casebook answers "which actions answer this item" and "was it escalated" from indexes the
fold keeps, not by walking every action or escalation: the answers must be the walk's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oversight.events import action, book, escalation, intelligence

ITEMS = ["I-0001", "I-0002", "I-0003"]
ACTIONS = ["A-0001", "A-0002", "A-0003", "A-0004"]
REASONS = ["action_overdue", "intelligence_without_action"]
AT = "2025-03-01T09:00:00Z"
DUE = "2025-03-08"

events = st.one_of(
    st.builds(
        lambda a, i: action(a, AT, DUE, intelligence=i), st.sampled_from(ACTIONS), st.sampled_from([*ITEMS, None])
    ),
    st.builds(lambda i, r: escalation(i, r, DUE, AT), st.sampled_from([*ITEMS, *ACTIONS]), st.sampled_from(REASONS)),
)


@given(st.lists(events, max_size=12))
@settings(max_examples=200, deadline=None)
def test_the_fold_indexes_answer_as_a_walk_would(raised: list) -> None:  # type: ignore[type-arg]
    folded = book(*(intelligence(i, AT, DUE) for i in ITEMS), *raised)
    for item in ITEMS:
        assert folded.actions_for(item) == [a for a in folded.actions.values() if a.intelligence_id == item]
    for item in [*ITEMS, *ACTIONS]:
        assert folded.escalations_for(item) == [e for e in folded.escalations if e.item_id == item]
        for reason in REASONS:
            walked = any(e.item_id == item and e.reason == reason for e in folded.escalations)
            assert folded.escalated(item, reason) == walked
