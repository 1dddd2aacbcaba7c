"""Rules that bind "in principle" (原则上): the issuing authority may depart from them.

A departure without an ``override`` is refused with words that say how to make it; with
``"override": {"rule": ..., "reason": ...}`` naming the rule, the act is recorded with a
``departure`` flag that carries the reason (visible in the unit's history). An override naming
a rule that does not bind in principle, or one the act does not depart from, is refused: an
override is a stated decision, never a blanket waiver. Hard limits stay refusals.
"""

from __future__ import annotations

from greenreg.errors import RuleError
from greenreg.events.acts import Override
from greenreg.events.vocabulary import Flag

IN_PRINCIPLE = {
    "003 art. 12": "a provincial green factory is first on a municipal green-factory list",
    "004 art. 13": "an extension of an eco-park's creation period is at most 1 year",
}
"""The rules the texts state "in principle", and what each says."""


def depart(override: Override | None, rule: str, refusal: str) -> Flag:
    """The flag of a departure from ``rule`` the act's ``override`` states, or the refusal
    (``refusal`` says what the act does against the rule), with how to override it."""
    check_in_principle(override)
    if override is None or override.rule != rule:
        raise RuleError(
            f"{refusal}. {rule} binds in principle (原则上): the authority may depart from it "
            f'by stating its reason in the act: "override": {{"rule": "{rule}", '
            '"reason": "..."}'
        )
    return {
        "code": "departure",
        "rule": rule,
        "message": f"departs from {rule} in principle: {override.reason}",
    }


def check_in_principle(override: Override | None) -> None:
    """Refuse an override naming a rule that binds outright (or no rule of the texts)."""
    if override is not None and override.rule not in IN_PRINCIPLE:
        rules = "; ".join(f"{rule} ({what})" for rule, what in IN_PRINCIPLE.items())
        raise RuleError(
            f"{override.rule!r} is not a rule that binds in principle, so it cannot be "
            f"overridden; the rules that do: {rules}"
        )


def check_override_used(override: Override | None, flags: list[Flag]) -> None:
    """Refuse an override that names no in-principle rule, or one the act does not depart
    from."""
    if override is None:
        return
    check_in_principle(override)
    if not any(f["code"] == "departure" and f["rule"] == override.rule for f in flags):
        raise RuleError(
            f"the act does not depart from {override.rule} ({IN_PRINCIPLE[override.rule]}); "
            "remove the 'override'"
        )
