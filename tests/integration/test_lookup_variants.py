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


def test_a_page_settled_among_the_names_of_one_bound_is_the_page_of_every_name_scored(
    world: World, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup takes variant names best first (by score, then unit name) and stops once the
    page is settled, inside a bound's names: for every page size, the same page as taking every
    name. Three bounds of many names each (one character changed: 0.875; one added: 0.8889; two
    changed: 0.75), each name with one of four legal forms and qualifiers (scores interleaved
    across bounds: 0.8889, 0.875, 0.8622, 0.8488, 0.8364, 0.8233...), renamed units (a former
    name scoring more than the current one is the unit's best, less 5 %) and a name corrected
    away (its unit gets no variant, though its current name is near)."""
    asked = "苏州恒达电子科技有限公司"
    forms = ["有限公司", "集团有限公司", "（江苏）有限公司", "（江苏）集团有限公司"]
    for number, word in enumerate(WORDS[:24]):
        cores = [f"苏州恒{word}电子科技", f"苏州恒达电子科技{word}", f"苏州{word}{word}电子科技"]
        for kind, core in enumerate(cores):
            form = forms[(number + kind) % len(forms)]
            unit = world.register("js-eit", core + form, SUZHOU)
            if (number + kind) % 5 == 1:  # renamed to another form: its former name is near too
                world.submit("js-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                             new_name=core + forms[(number + kind + 1) % len(forms)],
                             reported_on="2024-01-05")  # fmt: skip
            elif (number + kind) % 7 == 3:  # renamed to a name far from the question
                world.submit("js-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                             new_name=f"无锡{word}{word}机械{kind}有限公司",
                             reported_on="2024-01-05")  # fmt: skip
    typo = "苏州恒乾电子科技有限公司"
    registered = world.submit("js-eit", "register_unit", effective_date="2017-01-01",
                              kind="park", name=typo, division=SUZHOU)  # fmt: skip
    reads()
    world.submit("js-eit", "correct", effective_date="2017-02-01",
                 unit=str(registered.subject_id), corrects=str(registered.act_id),
                 changes={"name": "苏州恒乾电子科技集团有限公司"},
                 reason="a clerical error in the published act")  # fmt: skip
    store = reads().store

    pages = {limit: finder.search(store, asked, limit) for limit in range(1, 80)}
    monkeypatch.setattr(finder._Page, "settled", lambda *_: False)  # every name taken
    for limit, page in pages.items():
        assert page == finder.search(store, asked, limit), limit
    scores = [hit.score for hit in pages[79]]
    assert scores[:4] == [0.8889, 0.8889, 0.8889, 0.8889]
    assert {0.875, 0.8622, 0.8488, 0.8364, 0.8312, 0.8233, 0.75} <= set(scores)
    assert len(scores) == 72  # every unit but the one whose near name was corrected away
    assert "苏州恒乾电子科技集团有限公司" not in {hit.unit.name for hit in pages[79]}


def test_names_of_equal_score_and_another_bound_rank_by_unit_name_and_the_higher_bound(
    world: World, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name of a lower bound can score as much as one of a higher bound (a core of 20
    characters: three changed give 0.85, the same core with another qualifier 0.85 too): the
    names of that bound are scored before the page takes a name of that score, so the unit
    first by name comes first (taking the two of bound 1 first settled a page of one with the
    second); and of a unit's names of equal score, the one of the higher
    bound is its best (here a former name: less 5 %)."""
    asked = "苏州工业园区恒达精密电子科技研究开发中心（江苏）有限公司"
    other_qualifier = world.register(
        "js-eit", "苏州工业园区恒达精密电子科技研究开发中心（上海）有限公司", SUZHOU
    )
    another_qualifier = world.register(
        "js-eit", "苏州工业园区恒达精密电子科技研究开发中心（北京）有限公司", SUZHOU
    )
    three_changed = world.register(
        "js-eit", "苏州一业园区恒达精密电子甲技研究开发中乙（江苏）有限公司", SUZHOU
    )
    renamed = world.register(
        "js-eit", "苏州工业园区恒达精密电子科技研究开发中心（浙江）有限公司", SUZHOU
    )
    world.submit("js-eit", "rename", effective_date="2024-01-02", unit=str(renamed),
                 new_name="苏州二业园区恒达精密电子甲技研究开发中乙（江苏）有限公司",
                 reported_on="2024-01-05")  # fmt: skip
    store = reads().store

    pages = {limit: finder.search(store, asked, limit) for limit in range(1, 6)}
    assert [(hit.unit.id, hit.matched, hit.score) for hit in pages[5]] == [
        (three_changed, "name", 0.85),  # bound 0.85, first by name (一 before 工)
        (other_qualifier, "name", 0.85),  # bound 1 (上海 before 北京)
        (another_qualifier, "name", 0.85),
        (renamed, "former_name", 0.8075),  # its former name: 0.85 of bound 1, before 0.85 of 0.85
    ]
    monkeypatch.setattr(finder._Page, "settled", lambda *_: False)  # every name taken
    for limit, page in pages.items():
        assert page == finder.search(store, asked, limit), limit
