"""The rule adoptions of the shipped store: which rulebook governs which lists, from when.

The first run has the root adopt the rulebooks whose jurisdiction and first day the policy
texts give, before it loads the shipped lists (so each list act is judged by the rules in force
on its effective date):

- national, for ``CN``, from 2024-01-01: 工信部节〔2024〕13号 is dated only "2024" where the seeds
  cite it (000, 003); the notice was issued in late January 2024, so the registry takes the first
  day of the year (no shipped act falls in January 2024);
- chongqing (001 渝经信规范〔2024〕4号), for ``500000``, from 2024-03-06: "自发布之日起30日后施行"
  (art. 24), issued 2024-02-05;
- zhejiang (002 浙经信绿色〔2022〕64号), for ``330000``, from its issue on 2022-03-22.

Not adopted: provincial (003), whose text does not name the province that enacted it, and
eco_parks (004), whose issue date the seed does not give. An operator adopts them with
``greenreg rules adopt`` once known. Each act has a fixed act id, so running the step again
records nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from greenreg.events.issuer import Issuer

NAMESPACE = UUID("3c0f3b0e-6f5e-4a55-9d8e-2d7a1c9b4e61")

# (rulebook, jurisdiction, first day in force, last day or None, enacting document)
SHIPPED_ADOPTIONS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("national", "CN", "2024-01-01", None, "工信部节〔2024〕13号"),
    ("chongqing", "500000", "2024-03-06", None, "渝经信规范〔2024〕4号"),
    ("zhejiang", "330000", "2022-03-22", None, "浙经信绿色〔2022〕64号"),
)


def adoption_act(  # noqa: PLR0917 (one parameter per field of the act)
    root: Issuer,
    rulebook: str,
    jurisdiction: str,
    first: str,
    last: str | None,
    document: str,
    signed_at: datetime,
) -> dict[str, Any]:
    """The root's signed ``adopt_rules`` act, with an act id fixed by what it adopts."""
    return root.act(
        "adopt_rules",
        act_id=uuid5(NAMESPACE, f"{rulebook}:{jurisdiction}:{first}:{last}:{document}"),
        effective_date=first,
        document=document,
        signed_at=signed_at,
        rulebook=rulebook,
        jurisdiction=jurisdiction,
        in_force_until=last,
    )


def shipped_adoption_acts(root: Issuer, signed_at: datetime) -> list[dict[str, Any]]:
    return [adoption_act(root, *adoption, signed_at) for adoption in SHIPPED_ADOPTIONS]
