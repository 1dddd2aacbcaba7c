"""The lookup finds every variant name that ranks on its page, on SQLite and PostgreSQL.

Before, the lookup took its variants from the 30 names sharing the most character pairs with
the question (the bulk match's candidates), so a name one character away could be crowded out
by longer names holding every pair and scoring less: the page then showed a worse name in its
place, or nothing. Now the name index gives every name that can reach the variant floor
(:meth:`~greenreg.projections.name_index.NameIndex.similar`), and a page is the best units over
every name: the same page as scoring every name of the registry (tested on the benchmark
corpus in ``test_search_ranked``)."""

from __future__ import annotations

import pytest

from greenreg.matching.normalise import parse
from greenreg.projections import search as finder
from greenreg.projections.name_index import name_index
from tests.support import Reads, World

SUZHOU = "320505"
WORDS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星云"


def test_a_name_one_character_away_is_found_however_many_names_share_its_pairs(
    world: World, reads: Reads
) -> None:
    # Thirty parks whose names hold the whole core of the factory's name, and more: every
    # character pair of the question, but too long to be a variant of it (8 of 12
    # characters: 0.67).
    for word in WORDS[:30]:
        world.register("js-eit", f"苏州恒达电子科技{word}{word}园区", SUZHOU)
    # The factory the bank means: one character differs from what it asks (恒远, not 恒达).
    factory = world.register("sz-eit", "苏州恒远电子科技有限公司", SUZHOU, kind="enterprise")
    queries = reads()
    asked = "苏州恒达电子科技有限公司"

    # The thirty parks share more pairs with the question than the factory does, but the
    # match's candidates are the names close enough to score first: the factory is among them.
    candidates = [entry.unit_id for entry in name_index(queries.store).candidates(parse(asked))]
    assert candidates[0] == str(factory)

    # The lookup still finds the factory first, one character away (7 of 8: 0.875).
    [first, *_] = queries.search(asked, 20)
    assert (first.unit.id, first.matched, first.score) == (factory, "name", 0.875)
    assert "1 character differs" in first.explanation


def test_a_page_of_variants_is_the_page_of_every_name_scored(
    world: World, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup stops scoring variant names once their bound is below the page's last unit:
    for every page size, the same page as scoring every name that can reach the floor."""
    asked = "苏州恒达电子科技有限公司"
    # Near names of every kind, scoring between 0.97 and the floor: the same core with
    # another legal form (0.97) or a qualifier added (0.97); one character away (0.875), with
    # another form (0.8488); two away (0.75); and former names (less 5 %).
    for word in WORDS[:6]:
        world.register("js-eit", f"苏州恒{word}电子科技有限公司", SUZHOU)
        world.register("js-eit", f"苏州恒{word}电子科技集团有限公司", SUZHOU)
        world.register("js-eit", f"苏州{word}{word}电子科技有限公司", SUZHOU)
    world.register("js-eit", "苏州恒达电子科技集团有限公司", SUZHOU)
    world.register("js-eit", "苏州恒达电子科技（江苏）有限公司", SUZHOU)
    # A character added, with another legal form: 0.8889 (8/9) by its core, 0.8622 in all,
    # below the names one character away found after it.
    world.register("js-eit", "苏州恒达电子科技园集团有限公司", SUZHOU)
    for word in WORDS[6:10]:
        unit = world.register("js-eit", f"苏州恒{word}电子科技有限公司", SUZHOU)
        renamed = f"无锡{word}{word}机械有限公司"
        world.submit("js-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                     new_name=renamed, reported_on="2024-01-05")  # fmt: skip
    store = reads().store

    pages = {limit: finder.search(store, asked, limit) for limit in range(1, 27)}
    monkeypatch.setattr(finder._Page, "settled", lambda *_: False)  # every name scored
    for limit, page in pages.items():
        assert page == finder.search(store, asked, limit), limit
    assert [hit.score for hit in pages[26]][:3] == [0.97, 0.97, 0.875]
    assert {hit.matched for hit in pages[26]} == {"name", "former_name"}
    assert len(pages[26]) == 25  # every unit registered
