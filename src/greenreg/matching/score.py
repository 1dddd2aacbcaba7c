"""How a name given by a caller scores against a name the registry holds: a number in [0, 1]
and the reasons, in words. ``docs/matching.md`` publishes the same rules with examples.

1. The same normalised name (:func:`~greenreg.matching.normalise.normalise`: full-width forms,
   case, traditional characters, spaces and punctuation folded) scores 1.
2. Otherwise the **cores** (the names without legal form and bracketed qualifiers) are compared
   by their Levenshtein similarity (``rapidfuzz``): ``1 - edits / length of the longer core``.
   One wrong character in a core of 6 gives 0.833; the same core gives 1.
3. A **legal-form variant** (有限责任公司 for 有限公司, 集团 added or missing) multiplies by
   :data:`FORM_VARIANT` once per part of the form that differs (集团有限责任公司 against
   有限公司: twice); a **bracketed qualifier** present on one side only (苏州工业园区（江苏）)
   (or one more on one side) by :data:`QUALIFIER_VARIANT`; a qualifier on each side that the
   other lacks (（北京） against （上海）) by :data:`QUALIFIER_CONFLICT`.
4. Traditional characters, full-width forms and punctuation cost nothing, but are named.

The match (:mod:`greenreg.projections.matching`) then weighs what the name belongs to: a former
name, a unit in another region than the caller gave, the successor of a reorganised unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from greenreg.matching.normalise import Name, form_parts

FORM_VARIANT = 0.97
QUALIFIER_VARIANT = 0.97
QUALIFIER_CONFLICT = 0.85
FORMER_NAME = 0.95
OTHER_REGION = 0.8
SUCCESSOR = 0.95
DEFAULT_THRESHOLD = 0.8


def bound(query: Name, held: Name) -> float:
    """An upper bound of :func:`score_name`, cheap to compute (every factor is at most 1)."""
    if query.norm == held.norm:
        return 1.0
    return float(Levenshtein.normalized_similarity(query.core, held.core))


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: tuple[str, ...]


def score_name(query: Name, held: Name) -> Scored:
    """How well the name ``query`` (as given) matches the name ``held`` (as recorded)."""
    reasons: list[str] = []
    if query.traditional:
        reasons.append("traditional characters")
    if query.norm == held.norm:
        if not query.traditional and query.text != held.text:
            reasons.append("same name once spaces, punctuation and full-width forms are folded")
        return Scored(1.0, ("same name", *reasons))
    score, edits, qualifiers = _weighed(query, held)
    if edits:
        differ = "1 character differs" if edits == 1 else f"{edits} characters differ"
        reasons.insert(0, f"similar name: {differ} in {held.core}")
    else:
        reasons.insert(0, "same name apart from its legal form or bracketed qualifier")
    if query.form != held.form:
        reasons.append(f"legal-form variant: {query.form or 'none'} for {held.form or 'none'}")
    if qualifiers is not None:
        asked, recorded = qualifiers
        if asked <= recorded or recorded <= asked:
            extra = "/".join(sorted(asked ^ recorded))
            side = "added" if asked > recorded else "left out"
            reasons.append(f"bracketed qualifier variant: ({extra}) {side}")
        else:
            reasons.append(
                f"different bracketed qualifier: ({query.qualifier}) for ({held.qualifier})"
            )
    return Scored(score, tuple(reasons))


def score_of(query: Name, held: Name) -> float:
    """:func:`score_name`'s score alone, without its reasons (the same arithmetic): for
    ranking many names of which few are shown."""
    if query.norm == held.norm:
        return 1.0
    return _weighed(query, held)[0]


def similar_scorer(query: Name) -> Callable[[Name, float], float]:
    """:func:`score_of` against ``query``, given the Levenshtein similarity of the two cores
    as ``rapidfuzz`` gives it (``Levenshtein.normalized_similarity``: ``1 - edits / the longer
    core's length``, the very double :func:`_weighed` computes) where the caller has it
    already: for ranking the many names the lookup's variant search compares, without
    comparing their cores again, and with the factors of each legal form and bracketed
    qualifier worked out once (a query meets few), and each score once for its similarity
    (the names of one bound mostly share one)."""
    factors: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    scores: dict[tuple[str, str, float], float] = {}

    def score(held: Name, similarity: float) -> float:
        if query.norm == held.norm:
            return 1.0
        key = (held.form, held.qualifier, similarity)
        found = scores.get(key)
        if found is None:
            weights = factors.get(key[:2])
            if weights is None:
                weights = factors[key[:2]] = _factors(query, held)[:2]
            found = scores[key] = _times(similarity, *weights)
        return found

    return score


def _weighed(query: Name, held: Name) -> tuple[float, int, tuple[set[str], set[str]] | None]:
    """The score of two names that differ once normalised, the edits between their cores, and
    their bracketed qualifiers when those count (asked, recorded)."""
    edits = Levenshtein.distance(query.core, held.core)
    form, qualifier, qualifiers = _factors(query, held)
    score = _times(1.0 - edits / max(len(query.core), len(held.core), 1), form, qualifier)
    return score, edits, qualifiers


def _times(similarity: float, form: float | None, qualifier: float | None) -> float:
    """The cores' similarity weighed by the factors that apply (in this order), rounded."""
    score = similarity
    if form is not None:
        score *= form
    if qualifier is not None:
        score *= qualifier
    return round(max(score, 0.0), 4)


def _factors(
    query: Name, held: Name
) -> tuple[float | None, float | None, tuple[set[str], set[str]] | None]:
    """The factors for the legal forms and for the bracketed qualifiers that differ (``None``:
    the same), and the qualifiers when those count (asked, recorded)."""
    form = None
    if query.form != held.form:
        form = FORM_VARIANT ** _form_differences(query.form, held.form)
    qualifier = qualifiers = None
    if query.qualifier != held.qualifier:
        asked, recorded = _qualifiers(query), _qualifiers(held)
        if asked != recorded:
            qualifiers = asked, recorded
            variant = asked <= recorded or recorded <= asked
            qualifier = QUALIFIER_VARIANT if variant else QUALIFIER_CONFLICT
    return form, qualifier, qualifiers


@lru_cache(maxsize=4096)  # few forms, asked of every candidate name
def _form_differences(asked: str, recorded: str) -> int:
    """How many legal-form parts differ: one each replaced, added or left out (集团有限责任公司
    against 集团有限公司: 1; against 有限公司: 2, 集团 left out and 有限责任公司 replaced)."""
    one, other = Counter(form_parts(asked)), Counter(form_parts(recorded))
    return max(sum((one - other).values()), sum((other - one).values()), 1)


def _qualifiers(name: Name) -> set[str]:
    return set(name.qualifier.split("/")) - {""} if name.qualifier else set()
