"""The bank check's answer, word for word: which reference names which unit, from when the
registry knows it, and what each outcome says (banned until when, removed, not listed).

A bank checks a unit by its unit id in any of the forms a UUID is written (hyphenated, 32 hex
digits, braced, ``urn:uuid:``) or by its credit code as printed (spaces, hyphens, lower case);
an answer "as known at" a time counts what was recorded up to that instant, that instant
included. Every story runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support import Reads, World, d

CODE = "91500112MA1K3BTP29"
CHONGQING = "500000"


def test_every_written_form_of_a_unit_id_or_code_names_the_unit(world: World, reads: Reads) -> None:
    unit = world.register("cq-eit", "重庆示例工厂", "500112", kind="enterprise", credit_code=CODE)
    world.submit("cq-eit", "designate", effective_date="2024-05-06", unit=str(unit),
                 programme="green_factory", jurisdiction=CHONGQING)  # fmt: skip
    forms = [
        str(unit),
        unit.hex,
        "{" + str(unit) + "}",
        unit.urn,
        str(unit).upper(),
        CODE,
        CODE.lower(),
        "9150 0112 MA1K 3BTP 29",
        "91500112-MA1K3BTP29",
    ]
    answers = reads().certifications(forms, as_of=d("2024-06-01"))
    assert [a.ref for a in answers] == forms
    assert {(a.outcome, a.unit_id) for a in answers} == {("certified", unit)}
    # One digit short of each UUID form, or of the code: not a reference.
    short = [unit.hex[:-1], "{" + str(unit)[:-1] + "}", CODE[:-1]]
    assert {a.outcome for a in reads().certifications(short)} == {"invalid_code"}


def test_the_bank_check_knows_a_unit_and_its_ban_from_the_instant_they_were_recorded(
    world: World, reads: Reads
) -> None:
    registered_at = world.clock.now
    unit = world.register("cq-eit", "重庆示例园区", "500112")
    world.submit("cq-eit", "designate", effective_date="2024-05-06", unit=str(unit),
                 programme="green_park", jurisdiction=CHONGQING)  # fmt: skip
    world.clock.advance(hours=1)
    removed_at = world.clock.now
    world.submit("cq-eit", "remove", effective_date="2025-05-10", unit=str(unit),
                 programme="green_park", jurisdiction=CHONGQING,
                 ground="false_materials")  # fmt: skip
    q = reads()
    instant = timedelta(microseconds=1)
    [before] = q.certifications(
        [str(unit)], as_of=d("2025-06-01"), known_at=registered_at - instant
    )
    [known] = q.certifications([str(unit)], as_of=d("2024-06-01"), known_at=registered_at)
    assert (before.outcome, known.outcome) == ("not_found", "certified")
    # The ban (001 art. 18) counts from the instant the revocation was recorded.
    [listed] = q.certifications([str(unit)], as_of=d("2025-06-01"), known_at=removed_at - instant)
    [banned] = q.certifications([str(unit)], as_of=d("2025-06-01"), known_at=removed_at)
    assert (listed.outcome, banned.outcome) == ("certified", "banned")


def test_what_each_outcome_says(world: World, reads: Reads) -> None:
    # 001 art. 18: revoked on 2025-05-10 for false materials, banned through 2028-05-10.
    revoked = world.register("cq-eit", "被撤销的园区", "500112")
    world.submit("cq-eit", "designate", effective_date="2024-05-06", unit=str(revoked),
                 programme="green_park", jurisdiction=CHONGQING)  # fmt: skip
    world.submit("cq-eit", "remove", effective_date="2025-05-10", unit=str(revoked),
                 programme="green_park", jurisdiction=CHONGQING,
                 ground="false_materials")  # fmt: skip
    never = world.register("cq-eit", "未列入名单的园区", "500112")
    q = reads()

    def said(unit: object, day: str) -> tuple[str, bool, str]:
        [answer] = q.certifications([str(unit)], as_of=d(day))
        return answer.outcome, answer.certified, answer.message

    assert said(revoked, "2024-06-01") == (
        "certified", True, "certified: green_park (500000) since 2024-05-06"
    )  # fmt: skip
    for day in ("2025-05-10", "2028-05-10"):
        assert said(revoked, day) == ("banned", False, "banned until 2028-05-10")
    assert said(revoked, "2028-05-11") == (
        "removed", False, "no designation in force that day; removed or superseded before"
    )  # fmt: skip
    assert said(never, "2024-06-01") == (
        "not_listed", False, "registered, but on no list that day"
    )  # fmt: skip
