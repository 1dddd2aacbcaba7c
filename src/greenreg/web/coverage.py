"""What a search that found nothing covered: the registry's lists, in Chinese, then the same
statement in English as the REST ``/lookup``, the bank check and the match give it
(:mod:`greenreg.projections.coverage`), so that "未找到" is never read as "not certified"."""

from __future__ import annotations

from greenreg.projections.coverage import Coverage
from greenreg.web import labels
from greenreg.web.html import Markup, render

LEVELS = ("national", "provincial", "municipal")


def chinese_statement(covered: Coverage) -> str:
    """The coverage statement in Chinese, from the same lists as the English one."""
    if not covered.lists:
        return "本登记簿尚未收录任何名单：此处未找到，不能说明该单位是否获得认定。"
    held = "；".join(
        f"{c.jurisdiction_name}{labels.level(c.level).zh}{labels.programme(c.programme).zh}"
        f"名单（{_years(c.first_year, c.last_year)}）"
        for c in covered.lists
    )
    gaps = [labels.programme(p).zh + "名单" for p in covered.programmes_not_held]
    levels = {c.level for c in covered.lists}
    gaps += [labels.level(lv).zh + "名单" for lv in LEVELS if lv not in levels]
    missing = f"未收录{'、'.join(gaps)}，" if gaps else ""
    return (
        f"本登记簿仅收录：{held}。{missing}也不含上述年份之后的认定。"
        "此处未找到，仅表示不在上述名单中，并不表示该单位未获认定。"
    )


def _years(first: int, last: int) -> str:
    return f"{first}年" if first == last else f"{first}—{last}年"


def coverage_note(covered: Coverage) -> Markup:
    """The statement under "no match": Chinese first, the English beside it."""
    return render(
        '<p class="coverage">{zh} <span class="en" lang="en">{en}</span></p>',
        zh=chinese_statement(covered),
        en=covered.statement,
    )
