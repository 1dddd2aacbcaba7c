"""The lookup finds every variant name that ranks on its page, on SQLite and PostgreSQL.

Before, the lookup took its variants from the 30 names sharing the most character pairs with
the question (the bulk match's candidates), so a name one character away could be crowded out
by longer names holding every pair and scoring less: the page then showed a worse name in its
place, or nothing. Now the name index gives every name that can reach the variant floor
(:meth:`~greenreg.projections.name_index.NameIndex.similar`), and a page is the best units over
every name: the same page as scoring every name of the registry (tested on the benchmark
corpus in ``test_search_ranked``)."""

from __future__ import annotations

from greenreg.matching.normalise import parse
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
