"""The fold decodes stored events faster than the registry's mapper, to the same events: every
event of a small benchmark corpus (every programme's life) decodes to an object of the same
class with the same fields, values and value types, on both databases."""

from __future__ import annotations

from collections import Counter

from bench.corpus import populate

from greenreg.bootstrap import open_registry
from greenreg.projections.decoding import fold_decoder


def test_every_stored_event_decodes_as_the_mapper_decodes_it(database_url: str) -> None:
    # Given a store holding a small corpus: units, lists, renames, complaints, removals, reports
    populate(database_url, events=400, seed=29)
    registry = open_registry(database_url)
    try:
        notifications = registry.recorder.select_notifications(start=1, limit=1_000)
        decode = fold_decoder(registry.mapper)
        kinds: Counter[str] = Counter()
        for notification in notifications:
            # When the fold's decoder and the mapper decode the same stored event
            theirs = registry.mapper.to_domain_event(notification)
            ours = decode(notification)
            # Then both give the same class, the same fields in the same order, equal values
            # of the same types
            assert type(ours) is type(theirs)
            assert list(vars(ours).items()) == list(vars(theirs).items())
            assert [type(v) for v in vars(ours).values()] == [
                type(v) for v in vars(theirs).values()
            ]
            kinds[type(ours).__name__] += 1
    finally:
        registry.close()
    assert len(notifications) == 400
    assert {"UnitRegistered", "Designated", "Renamed", "ReportFiled", "Removed"} <= set(kinds)
