"""A unit's timeline in sentences: Chinese first, the English beside it.

Each line says what happened as a person would ("2019年9月2日 列入第四批绿色工厂名单
（工业和信息化部）"), from the event's own fields (:attr:`HistoryEntry.details`), then under which
document, who signed it and what that means (:mod:`greenreg.web.signers`), and when the registry
recorded it, in Beijing time. A line folded before the fields were kept falls back to the
event's English summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from greenreg.events.places import NATIONAL
from greenreg.projections.views import HistoryEntry
from greenreg.web import labels
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI, Label
from greenreg.web.layout import bilingual
from greenreg.web.signers import list_issuer, signature
from greenreg.web.words import (
    chinese_date,
    chinese_time,
    english_date,
    english_time,
    jurisdiction_name,
    place,
)

Details = Mapping[str, Any]
Names = Mapping[str, str]
"""Unit names by unit id, for the units a reorganisation links."""


def list_label(programme: str, jurisdiction: str, batch: str | None = None) -> Label:
    """``第四批绿色工厂名单`` / ``the national green factory list, batch 第四批``."""
    kind = labels.programme(programme)
    where_zh = "" if jurisdiction == NATIONAL else jurisdiction_name(jurisdiction)
    where_en = "national" if jurisdiction == NATIONAL else jurisdiction_name(jurisdiction)
    return Label(
        f"{where_zh}{batch or ''}{kind.zh}名单",
        f"the {where_en} {(kind.en or programme).lower()} list" + (f", {batch}" if batch else ""),
    )


def _listing(d: Details, batch: bool = False) -> Label:
    if "programme" in d and "jurisdiction" in d:
        return list_label(d["programme"], d["jurisdiction"], d.get("batch") if batch else None)
    programme, _, jurisdiction = str(d.get("listing", "")).partition("@")
    return list_label(programme, jurisdiction)


def _by(d: Details) -> Label:
    issuer = list_issuer(d)
    return Label(f"（{issuer.zh}）", f" ({issuer.en})") if issuer else Label("", "")


def _day(text: str | None) -> Label:
    if not text:
        return Label("", "")
    day = date.fromisoformat(text)
    return Label(chinese_date(day), english_date(day))


def _registered(d: Details, names: Names) -> Label:
    kind = labels.kind(d["kind"])
    code = d.get("credit_code")
    return Label(
        f"登记为{kind.zh}：{d['name']}，位于{place(d['division'])}"
        + (f"，统一社会信用代码{code}" if code else ""),
        f"Registered as {kind.en.lower()} {d['name']}, in {place(d['division'])}"
        + (f", credit code {code}" if code else ""),
    )


def _designated(d: Details, names: Names) -> Label:
    where, by = _listing(d, batch=True), _by(d)
    grade = f"，评定等级{d['grade']}" if d.get("grade") else ""
    grade_en = f", grade {d['grade']}" if d.get("grade") else ""
    return Label(f"列入{where.zh}{by.zh}{grade}", f"Listed on {where.en}{by.en}{grade_en}")


def _named(d: Details, names: Names) -> Label:
    where, by = _listing(d, batch=True), _by(d)
    return Label(f"命名，列入{where.zh}{by.zh}", f"Named, on {where.en}{by.en}")


def _renamed(d: Details, names: Names) -> Label:
    day = _day(d.get("reported_on"))
    return Label(
        f"更名为{d['new_name']}（{day.zh}报告）",
        f"Renamed {d['new_name']} (reported on {day.en})",
    )


def _reorganised(d: Details, names: Names) -> Label:
    kind = labels.reorganisation(d["reorganisation"])

    def named(ids: Sequence[str]) -> str:
        return "、".join(names.get(i, i) for i in ids)

    before, after = named(d.get("predecessors", [])), named(d.get("successors", []))
    return Label(
        f"重组（{kind.zh}）：前身 {before}；继承单位 {after}",
        f"{kind.en}: predecessors {before}; successors {after}",
    )


def _report(d: Details, names: Names) -> Label:
    day = _day(d.get("filed_on"))
    return Label(
        f"于{day.zh}提交{d['year']}年度报告（{d['report']}）",
        f"Filed the {d['year']} report ({d['report']}) on {day.en}",
    )


def _warned(d: Details, names: Names) -> Label:
    where, by, until = _listing(d), _by(d), _day(d.get("rectify_by"))
    why = labels.ground(d["ground"])
    return Label(
        f"受到退出警示（{where.zh}）{by.zh}，理由：{why.zh}；须于{until.zh}前完成整改，"
        "整改期间不得使用称号",
        f"Warned on {where.en}{by.en}: {why.en}; to rectify by {until.en}, the title may "
        "not be used meanwhile",
    )


def _lifted(d: Details, names: Names) -> Label:
    where, by = _listing(d), _by(d)
    return Label(
        f"解除警示（{where.zh}）{by.zh}，恢复使用称号",
        f"Warning lifted on {where.en}{by.en}: the title may be used again",
    )


def _removed(d: Details, names: Names) -> Label:
    ended = [list_label(*item.split("@", 1)) for item in d.get("ended", [])] or [_listing(d)]
    by, why = _by(d), labels.ground(d["ground"])
    return Label(
        f"移出{'、'.join(e.zh for e in ended)}{by.zh}，理由：{why.zh}",
        f"Removed from {', '.join(e.en for e in ended)}{by.en}: {why.en}",
    )


def _on_list(zh: str, en: str, ground: bool = False) -> Callable[[Details, Names], Label]:
    def sentence(d: Details, names: Names) -> Label:
        where, by = _listing(d), _by(d)
        why = labels.ground(d["ground"]) if ground else Label("", "")
        zh_why, en_why = (f"，理由：{why.zh}", f": {why.en}") if ground else ("", "")
        return Label(f"{zh}（{where.zh}）{by.zh}{zh_why}", f"{en} {where.en}{by.en}{en_why}")

    return sentence


def _extended(d: Details, names: Names) -> Label:
    where, until = _listing(d), _day(d.get("extended_to"))
    return Label(
        f"创建期延长至{until.zh}（{where.zh}）", f"Creation extended to {until.en} ({where.en})"
    )


def _incident(d: Details, names: Names) -> Label:
    what = labels.incident(d["incident"])
    return Label(f"发生{what.zh}", f"{what.en.capitalize()} happened")


def _identifier(d: Details, names: Names) -> Label:
    return Label(f"登记统一社会信用代码{d['value']}", f"Credit code {d['value']} attached")


def _corrected(d: Details, names: Names) -> Label:
    changes = "，".join(f"{k} = {v}" for k, v in sorted(d.get("changes", {}).items()))
    return Label(
        f"更正此前的记录：{changes}（原因：{d['reason']}）",
        f"Corrected an earlier record: {changes} ({d['reason']})",
    )


def _complaint(d: Details, names: Names) -> Label:
    where = _listing(d)
    return Label(
        f"收到公众举报（{where.zh}）：{d['matter']}",
        f"Public complaint received about {where.en}: {d['matter']}",
    )


def _decided(d: Details, names: Names) -> Label:
    where = _listing(d)
    if d.get("outcome") == "rectification":
        until = _day(d.get("rectify_by"))
        return Label(
            f"举报经核实，责令整改（{where.zh}），须于{until.zh}前完成，整改期间不得使用称号",
            f"Complaint verified: rectification ordered on {where.en}, by {until.en}",
        )
    if d.get("outcome") == "removal":
        return Label(f"举报经核实，移出{where.zh}", f"Complaint verified: removed from {where.en}")
    return Label("举报经核查不属实，已结案", "Complaint found unfounded: closed")


SENTENCES: dict[str, Callable[[Details, Names], Label]] = {
    "UnitRegistered": _registered,
    "Designated": _designated,
    "Named": _named,
    "Renamed": _renamed,
    "Reorganised": _reorganised,
    "ReportFiled": _report,
    "Warned": _warned,
    "WarningLifted": _lifted,
    "Removed": _removed,
    "ApplicationDisqualified": _on_list("取消申报资格", "Application disqualified for", True),
    "CreationApproved": _on_list("同意创建", "Creation approved for"),
    "CreationExtended": _extended,
    "CreationStopped": _on_list("停止创建", "Creation stopped for", True),
    "IncidentRecorded": _incident,
    "IdentifierAttached": _identifier,
    "Corrected": _corrected,
    "ComplaintRecorded": _complaint,
    "ComplaintDecided": _decided,
}


def sentence(entry: HistoryEntry, names: Names | None = None) -> Label:
    """What ``entry`` did, in a Chinese sentence and an English one."""
    make = SENTENCES.get(entry.event_type)
    if make is not None and entry.details:
        try:
            return make(entry.details, names or {})
        except (KeyError, ValueError, TypeError):
            pass  # fields of an older shape: the summary says it
    return Label(labels.event(entry.event_type).zh, entry.summary)


def _rules(rules: str | None) -> Markup:
    """Which rules judged the act: the registry's words (English, citing the texts), after a
    Chinese sentence saying whether any rule in force judged it."""
    if not rules:
        return Markup("")
    judged = "judged under" in rules
    said = Label(
        "依据当时生效的规则审查：" if judged else "登记簿中当日没有生效的规则可据以审查此项：",
        rules,
    )
    return render('<p class="rules">{said}</p>', said=bilingual(said))


def _item(entry: HistoryEntry, names: Names) -> Markup:
    said, signed = sentence(entry, names), signature(entry)
    return render(
        '<li class="event-{type}"><p class="what"><time datetime="{iso}">{day}</time> '
        '<strong>{zh}</strong> <span class="en" lang="en">{en}</span></p>{rules}'
        '<p class="provenance">{doc_label}: {document} · {signed_label}: {who}</p>'
        '<p class="signer{transcribed}">{meaning}</p>'
        '<p class="recorded"><small>{recorded_label} {zh_time} '
        '<span class="en" lang="en">{en_time}</span> · {position_label} {position}'
        "</small></p></li>",
        type=entry.event_type,
        iso=entry.effective_date.isoformat(),
        day=chinese_date(entry.effective_date),
        zh=said.zh,
        en=said.en,
        rules=_rules(entry.rules),
        doc_label=bilingual(UI["document"]),
        document=entry.document_number,
        signed_label=bilingual(UI["signed_by"]),
        who=bilingual(signed.who),
        transcribed=" transcribed" if signed.transcribed else "",
        meaning=bilingual(signed.meaning),
        recorded_label=bilingual(UI["recorded"]),
        zh_time=chinese_time(entry.recorded_at),
        en_time=english_time(entry.recorded_at),
        position_label=bilingual(UI["log_position"]),
        position=entry.evidence.position,
    )


def timeline(entries: Sequence[HistoryEntry], names: Names | None = None) -> Markup:
    """The unit's timeline, oldest first."""
    return render(
        '<h2>{title}</h2><ol class="timeline">{items}</ol>',
        title=bilingual(UI["timeline"]),
        items=join(_item(e, names or {}) for e in entries),
    )
