"""The page a scanned green code opens, ``/V/<id>.<signature>``: the statement, and if it holds.

The registry makes the statement again from the id (:mod:`greenreg.green_codes`) and shows it,
with its own verdict; then the page's script (``static/scan.js``) checks it again in the browser,
trusting nothing the server says about validity: the signature in the URL against the statement's
RFC 8785 bytes and the log key published at ``/api/v1/log/keys`` (WebCrypto Ed25519, or the
vendored noble-ed25519 where the browser lacks it), the checkpoint note's signature, and a
consistency proof from that checkpoint to the latest one. It then says, in place of the server's
verdict, one of:

- 有效 valid: signed by the log key, and the unit has not changed since;
- 已过期 expired: genuine, but the unit changed after the code was issued (its current status is
  a link away);
- 无效 not valid, because ...: a changed id or signature, a key that is not the registry's, a
  checkpoint not signed or not in today's log.

Where the registry has witnesses, the page also says whether a checkpoint they cosigned as its
policy requires covers the code's checkpoint, and which witnesses cosigned it.

An address that names no statement (malformed, or a unit with no title it could use at that
checkpoint) answers 404 with the same "not valid" verdict and the reason; never an error page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from greenreg.errors import SignatureError
from greenreg.events.signing import verify_signature
from greenreg.green_codes import GreenCode
from greenreg.storage.queries import WitnessedProof
from greenreg.web import labels
from greenreg.web.green_code import shanghai_time
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI, Label
from greenreg.web.layout import AssetUrl, bilingual, page

TITLE = Label("绿码核验", "Green code check")
WORDS = {
    "valid": Label("有效", "valid"),
    "expired": Label("已过期", "expired"),
    "invalid": Label("无效", "not valid"),
}
BY_SERVER = Label("登记簿服务器的核验结果", "the registry server's check")
CHECKING = Label("本浏览器正在自行核验……", "this browser is checking for itself…")
VALID = Label(
    "签名由登记簿的日志密钥签署，该单位自出具以来没有变动。",
    "signed by the registry's log key, and the unit has not changed since the code was issued.",
)
ALTERED = Label(
    "签名与声明不符：此码被改动过，或并非本登记簿出具。",
    "the signature does not match the statement: the code was altered, or not issued by "
    "this registry.",
)
SEE = Label("查看该单位的当前状态", "See the unit's current status")
FACTS = {
    "unit": Label("单位", "Unit"),
    "current": Label("当前状态", "Current status"),
    "issued": Label("出具时间", "Issued"),
    "checkpoint": Label("日志检查点", "Log checkpoint"),
    "key": Label("日志密钥", "Log key"),
    "titles": Label("可使用的称号", "Titles in force"),
    "restricted": Label("整改期间不得使用的称号", "Titles it may not use while it rectifies"),
    "signed": Label("签名的声明（RFC 8785 JSON）", "The signed statement (RFC 8785 JSON)"),
    "witnessed": Label("见证方联署", "Witnesses"),
}
NOT_WITNESSED = Label(
    "本登记簿的见证方尚未联署涵盖此码的日志检查点。",
    "the registry's witnesses have not yet cosigned a log checkpoint that covers this code.",
)


def witnessed_label(proof: WitnessedProof) -> Label:
    names = ", ".join(proof.witnesses) or "-"
    return Label(
        f"日志检查点 {proof.checkpoint.tree_size} 涵盖此码，已由见证方联署：{names}",
        f"log checkpoint {proof.checkpoint.tree_size} covers this code and is cosigned by the "
        f"witnesses {names}",
    )


def changed_label(position: int) -> Label:
    return Label(
        f"本码出具后，该单位的情况有变动（日志位置 {position}），请查看其当前状态。",
        f"this unit changed after this code was issued (log position {position}): "
        "see its current status.",
    )


def nothing_label(reason: str) -> Label:
    return Label(
        "此地址不对应本登记簿出具的任何绿码。", f"this address names no green code: {reason}"
    )


@dataclass(frozen=True)
class Witnessing:
    """What the page says of the registry's witnesses: the witnessed checkpoint that covers the
    code (``None``: none yet)."""

    proof: WitnessedProof | None

    @property
    def label(self) -> Label:
        return NOT_WITNESSED if self.proof is None else witnessed_label(self.proof)


@dataclass(frozen=True)
class Verdict:
    """What the server concludes: ``valid``, ``expired`` or ``invalid``, and why."""

    kind: str
    why: Label


def verdict_of(code: GreenCode, signature: bytes, public_key: bytes) -> Verdict:
    """The server's own verdict on a scanned code (the page's script checks again)."""
    try:
        verify_signature(public_key, code.signed_bytes, signature)
    except SignatureError:
        return Verdict("invalid", ALTERED)
    if code.changed_at is not None:
        return Verdict("expired", changed_label(code.changed_at))
    return Verdict("valid", VALID)


def _verdict(verdict: Verdict, checking: bool) -> Markup:
    by = bilingual(BY_SERVER)
    if checking:
        by = render("{by}；{checking}", by=by, checking=bilingual(CHECKING))
    return render(
        '<div id="verdict" class="verdict verdict-{kind}" role="status" aria-live="polite" '
        'data-checked="server"><p class="word"><strong>{word}</strong></p>'
        '<p class="why">{why}</p><p class="by"><small>{by}</small></p></div>',
        kind=verdict.kind,
        word=bilingual(WORDS[verdict.kind]),
        why=bilingual(verdict.why),
        by=by,
    )


def _titles(stated: list[dict[str, Any]], title: Label) -> Markup:
    if not stated:
        return Markup("")
    items = join(
        render(
            "<li><strong>{programme}</strong> · {level} · {area}<br>"
            "<small>{since} <time>{day}</time> · {document}{until}</small></li>",
            programme=bilingual(labels.programme(str(d.get("programme")))),
            level=bilingual(labels.level(str(d.get("level")))),
            area=d.get("issuer_area", ""),
            since=bilingual(Label("认定于", "since")),
            day=d.get("since", ""),
            document=d.get("document_number") or "",
            until=render(" · {label} {day}", label=bilingual(UI["rectify_by"]), day=d["rectify_by"])
            if d.get("rectify_by")
            else "",
        )
        for d in stated
    )
    return render(
        '<h3>{title}</h3><ul class="titles">{items}</ul>', title=bilingual(title), items=items
    )


def _statement(code: GreenCode, asset: AssetUrl, witnessing: Witnessing | None) -> Markup:
    body = code.body
    answer = body.get("answer", {})
    unit_url = f"/units/{code.unit_id}"
    rows = [
        (FACTS["unit"], render("{name}", name=answer.get("name", ""))),
        (UI["credit_code"], render('<span class="code">{c}</span>', c=answer.get("credit_code"))),
        (FACTS["current"], render('<a href="{u}">{see}</a>', u=unit_url, see=bilingual(SEE))),
        (FACTS["issued"], render("<time>{t}</time>", t=shanghai_time(body.get("issued_at")))),
        (FACTS["checkpoint"], render("{size}", size=code.reference.size)),
        (FACTS["key"], render('<span class="code">{k}</span>', k=body.get("log_key_id"))),
    ]
    if not answer.get("credit_code"):
        rows.pop(1)
    if witnessing is not None:
        rows.append(
            (
                FACTS["witnessed"],
                render('<span id="witnessed">{w}</span>', w=bilingual(witnessing.label)),
            )
        )
    changed = Markup("")
    if code.changed_at is not None:
        label = changed_label(code.changed_at)
        changed = render(
            '<p id="changed" class="changed" data-zh="{zh}" data-en="{en}">{text} '
            '<a href="{u}">{current}</a></p>',
            zh=label.zh,
            en=label.en,
            text=bilingual(label),
            u=unit_url,
            current=bilingual(SEE),
        )
    signed = code.signed_bytes
    return render(
        '<section id="statement" data-signed="{b64}" data-fallback="{fallback}">'
        '<h2>{name}</h2>{changed}<dl class="facts">{rows}</dl>{titles}{restricted}'
        "<details><summary>{json_title}</summary><pre>{json}</pre></details></section>",
        b64=base64.b64encode(signed).decode("ascii"),
        fallback=asset("noble-ed25519.js"),
        name=answer.get("name", ""),
        changed=changed,
        rows=join(render("<dt>{k}</dt><dd>{v}</dd>", k=bilingual(k), v=v) for k, v in rows),
        titles=_titles(answer.get("designations", []), FACTS["titles"]),
        restricted=_titles(answer.get("restricted", []), FACTS["restricted"]),
        json_title=bilingual(FACTS["signed"]),
        json=signed.decode("utf-8"),
    )


def scan_page(
    code: GreenCode | None,
    verdict: Verdict,
    asset: AssetUrl,
    witnessing: Witnessing | None = None,
) -> Markup:
    """The page of a scanned code: the verdict, the statement (if the address names one), what
    the registry's witnesses cosigned (if it has witnesses) and the script that checks it in
    the browser."""
    body = render(
        '<p class="back"><a href="/">← {back}</a></p><article class="scan"><h1>{title}</h1>'
        "{verdict}{statement}</article>{script}",
        back=bilingual(UI["back"]),
        title=bilingual(TITLE),
        verdict=_verdict(verdict, checking=code is not None),
        statement=_statement(code, asset, witnessing) if code is not None else Markup(""),
        script=render('<script type="module" src="{src}"></script>', src=asset("scan.js"))
        if code is not None
        else Markup(""),
    )
    return page(f"{TITLE.zh} · {UI['title'].zh}", body, asset)
