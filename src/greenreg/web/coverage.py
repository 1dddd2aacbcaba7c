"""What a search that found nothing covered: the registry's lists, in Chinese, then the same
statement in English as the REST ``/lookup``, the bank check and the match give it
(:mod:`greenreg.projections.coverage`), so that "未找到" is never read as "not certified"."""

from __future__ import annotations

from greenreg.events.places import NATIONAL
from greenreg.projections.coverage import Coverage
from greenreg.web import labels
from greenreg.web.html import Markup, render
from greenreg.web.labels import UI
from greenreg.web.layout import bilingual
from greenreg.web.words import jurisdiction_name

LEVELS = ("national", "provincial", "municipal")


def _held(covered: Coverage) -> str:
    return "；".join(
        f"{'' if c.jurisdiction == NATIONAL else jurisdiction_name(c.jurisdiction)}"
        f"{labels.level(c.level).zh}"
        f"{labels.programme(c.programme).zh}名单（{_years(c.first_year, c.last_year)}，"
        f"{c.units}个单位）"
        for c in covered.lists
    )


def _gaps(covered: Coverage) -> str:
    gaps = [labels.programme(p).zh + "名单" for p in covered.programmes_not_held]
    levels = {c.level for c in covered.lists}
    gaps += [labels.level(lv).zh + "名单" for lv in LEVELS if lv not in levels]
    return f"未收录{'、'.join(gaps)}，" if gaps else ""


def chinese_statement(covered: Coverage) -> str:
    """The coverage statement in Chinese, from the same lists as the English one."""
    if not covered.lists:
        return "本登记簿尚未收录任何名单：此处未找到，不能说明该单位是否获得认定。"
    return (
        f"本登记簿仅收录：{_held(covered)}。{_gaps(covered)}也不含上述年份之后的认定。"
        "此处未找到，仅表示不在上述名单中，并不表示该单位未获认定。"
    )


def chinese_summary(covered: Coverage) -> str:
    """What the registry holds, for its home page: the lists, what is not held."""
    if not covered.lists:
        return "本登记簿尚未收录任何名单。"
    return f"本登记簿收录：{_held(covered)}。{_gaps(covered)}也不含上述年份之后的认定。"


def english_summary(covered: Coverage) -> str:
    """The English statement without the sentence about a miss."""
    return covered.statement.split(" Not found here")[0]


def _years(first: int, last: int) -> str:
    return f"{first}年" if first == last else f"{first}—{last}年"


def coverage_summary(covered: Coverage) -> Markup:
    """The home page's statement of what the registry covers."""
    return render(
        '<section class="coverage" aria-labelledby="coverage-title"><h2 id="coverage-title">'
        "{title}</h2><p>{zh} "
        '<span class="en" lang="en">{en}</span></p></section>',
        title=bilingual(UI["coverage"]),
        zh=chinese_summary(covered),
        en=english_summary(covered),
    )


def searched_note(query: str) -> Markup:
    """What a search that found nothing looked through."""
    return render(
        '<p class="searched">{label}: {zh} <span class="en" lang="en">{en}</span></p>',
        label=bilingual(UI["searched"]),
        zh=f"本登记簿收录的全部园区和企业的现名、曾用名和统一社会信用代码，查找「{query}」"
        "（含全角半角、括号和相近写法）。",
        en=f"the current names, former names and credit codes of every park and enterprise "
        f"the registry holds, for “{query}” (full- and half-width forms, brackets and close "
        "variants included).",
    )


def coverage_note(covered: Coverage) -> Markup:
    """The statement under "no match": Chinese first, the English beside it."""
    return render(
        '<p class="coverage">{zh} <span class="en" lang="en">{en}</span></p>',
        zh=chinese_statement(covered),
        en=covered.statement,
    )
