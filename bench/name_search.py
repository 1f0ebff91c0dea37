"""Entity name search: the name index (migration 0018) against reading every entity, in one run.

A store is filled with N synthetic entities (people, officers with a rank alias, organisations;
a few names with letters SQL's LIKE cannot fold), written as a resolution run writes them
(`replace_entities`, which files the name index). Each query is then timed both ways on the same
store, median of `--reps` calls:
  - `scan`:  what `EntityView.named` did before the index: the statement that reads every entity
    (`entities_by_name_scan`, ASCII words under LIKE) and the exact check in Python;
  - `index`: `EntityView.named` as it is, through the trigram index.
Both must give the same answer. Also printed: how long filing every entity afresh takes (a store
upgraded with entities pays it once, on its first search). One figure per line, `name=value`.

    .venv/bin/python bench/name_search.py                              # 36,000 entities, SQLite
    .venv/bin/python bench/name_search.py --entities 200000
    .venv/bin/python bench/name_search.py --database-url postgresql://...   # an empty database

All people are fictional (casetrail.synthetic).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _keys import encrypted_home  # noqa: E402

from casetrail.intake.register import Register, utc_now  # noqa: E402
from casetrail.model.entity import Entity, searchable_name  # noqa: E402
from casetrail.resolution.matching import PERSON_KEYS  # noqa: E402
from casetrail.resolution.view import EntityView  # noqa: E402
from casetrail.store.analysis import AnalysisTables  # noqa: E402
from casetrail.store.home import ENV_DATABASE_URL  # noqa: E402
from casetrail.synthetic.names import FEMALE_GIVEN, MALE_GIVEN, PLACES, SURNAMES  # noqa: E402

UNFOLDABLE = ("Strauß", "Zoë", "Björk", "Ñúñez", "\u212aelvin")  # LIKE folds none of these


def synthetic_entities(n: int, rng: random.Random) -> list[Entity]:
    given = MALE_GIVEN + FEMALE_GIVEN
    found = []
    for i in range(n):
        first, last = rng.choice(given), rng.choice(SURNAMES + UNFOLDABLE if i % 50 == 0 else SURNAMES)
        kind = rng.choice(("person", "person", "officer", "organisation"))
        if kind == "officer":
            found.append(Entity(f"E-{i:07d}", kind, f"{first} {last}", (f"DS {last}", f"{first[0]}. {last}")))
        elif kind == "organisation":
            found.append(Entity(f"E-{i:07d}", kind, f"{rng.choice(PLACES)} {last} Trust"))
        else:
            found.append(Entity(f"E-{i:07d}", kind, f"{first} {last}", (last,)))
    return found


def queries(entities: list[Entity]) -> list[list[str]]:
    """What investigators type: a surname, a full name, the start of a surname, a rank and a
    surname, a name LIKE cannot fold, and a word no entity holds."""
    officer = next(e for e in entities if e.type == "officer")
    first, last = officer.name.casefold().split(" ", 1)
    return [[last], [first, last], [last[:4]], ["ds", last], ["strauss"], ["zzqx"]]


def scanned(tables: AnalysisTables, words: list[str]) -> list[tuple[str, str, str]]:
    """`named` before the index: every entity read, ASCII words narrowed by LIKE, checked here."""
    ascii_words = tables._list([w for w in words if w.isascii()])
    rows = tables.db.run(tables.sql["entities_by_name_scan"], (ascii_words,))
    return sorted(
        (eid, kind, name)
        for eid, kind, name, aliases in rows
        if all(w in searchable_name(name, json.loads(aliases)) for w in words)
    )


def median_ms(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=36_000)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temporary home)")
    args = parser.parse_args()
    if args.database_url:
        os.environ[ENV_DATABASE_URL] = args.database_url
    with tempfile.TemporaryDirectory() as tmp:
        register = Register.create(encrypted_home(Path(tmp) / "home"), "bench.example/name-search")
        tables = register.store.analysis
        entities = synthetic_entities(args.entities, random.Random(18))
        start = time.perf_counter()
        with register.store.transaction():
            tables.replace_entities([(e, []) for e in entities], PERSON_KEYS, utc_now())
        print(f"backend={tables.db.dialect}")
        print(f"entities={args.entities}")
        print(f"write_entities_s={time.perf_counter() - start:.2f}")
        view = EntityView(tables)
        ratios = []
        for words in queries(entities):
            expected = scanned(tables, words)
            assert view.named(words) == expected, words
            old = median_ms(lambda w=words: scanned(tables, w), args.reps)  # type: ignore[misc]
            new = median_ms(lambda w=words: view.named(w), args.reps)  # type: ignore[misc]
            name = "_".join(words)
            print(f"{name}_found={len(expected)} {name}_scan_ms={old:.2f} {name}_index_ms={new:.2f}")
            print(f"{name}_ratio_scan_to_index={old / new:.1f}")
            ratios.append(old / new)
        print(f"ratio_scan_to_index_median={statistics.median(ratios):.1f}")
        with register.store.transaction():
            tables.db.run(tables.sql["unmark_names_filed"])  # as a store upgraded with entities is
        start = time.perf_counter()
        tables.refile_names()
        print(f"refile_every_name_s={time.perf_counter() - start:.2f}")
        register.store.close()


if __name__ == "__main__":
    main()
