"""The page's words: Chinese dates, Beijing time, places by name from the shipped GB/T 2260
tables, timeline sentences in Chinese with English, and who signed each record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from greenreg.projections.views import Evidence, HistoryEntry
from greenreg.web.signers import signature
from greenreg.web.timeline import sentence
from greenreg.web.words import chinese_date, chinese_time, english_time, jurisdiction_name, place


def test_a_day_is_written_as_in_chinese_documents() -> None:
    assert chinese_date(date(2024, 6, 30)) == "2024年6月30日"
    assert chinese_date(date(2019, 9, 2)) == "2019年9月2日"


def test_a_recorded_time_is_shown_in_beijing_time_whatever_zone_it_was_stored_in() -> None:
    # 16:30 UTC on 30 June is 00:30 on 1 July in Beijing: the day changes too.
    utc = datetime(2024, 6, 30, 16, 30, tzinfo=UTC)
    assert chinese_time(utc) == "2024年7月1日 00:30（北京时间）"
    assert english_time(utc) == "1 July 2024, 00:30 Beijing time"
    # The same moment stored with another offset reads the same; a naive time is UTC.
    assert chinese_time(utc.astimezone(timezone(timedelta(hours=-5)))) == chinese_time(utc)
    assert chinese_time(datetime(2024, 6, 30, 16, 30)) == chinese_time(utc)  # noqa: DTZ001


def test_division_codes_are_named_province_city_county() -> None:
    assert place("320505") == "江苏省 苏州市 虎丘区"
    assert place("320500") == "江苏省 苏州市"
    assert place("320000") == "江苏省"
    # A municipality's districts sit under a "市辖区" row that is no place's name.
    assert place("110101") == "北京市 东城区"
    assert place("CN") == "全国"
    assert place("999999") == "999999"  # not in the tables: shown as it is, not hidden
    assert jurisdiction_name("320000") == "江苏省"


def entry(event_type: str, authority: str, signer: str, **details: object) -> HistoryEntry:
    return HistoryEntry(
        event_type=event_type,
        summary="(the English summary)",
        effective_date=date(2019, 9, 2),
        recorded_at=datetime(2024, 6, 30, 6, 0, tzinfo=UTC),
        authority_code=authority,
        authority_name=signer,
        document_number="工信厅节函〔2019〕196号",
        flags=(),
        evidence=Evidence("u/2", 15),
        key_id="k1",
        details=details,
    )


TRANSCRIBER = (
    "miit-transcription",
    "greenreg transcription of public MIIT announcements (not MIIT)",
)


def test_a_designation_is_a_sentence_naming_the_batch_the_list_and_its_issuer() -> None:
    said = sentence(
        entry(
            "Designated",
            *TRANSCRIBER,
            programme="green_factory",
            jurisdiction="CN",
            batch="第四批",
            grade=None,
        )
    )
    assert said.zh == "列入第四批绿色工厂名单（工业和信息化部）"
    assert said.en.startswith("Listed on the national green factory list, 第四批 (MIIT")
    provincial = sentence(
        entry(
            "Designated",
            "js-eit",
            "江苏省工业和信息化厅",
            programme="green_park",
            jurisdiction="320000",
            batch="第一批",
            grade="A",
        )
    )
    assert (
        provincial.zh == "列入江苏省第一批绿色工业园区名单（江苏省工业和信息化主管部门），评定等级A"
    )


def test_registration_removal_and_rename_are_sentences_with_names_not_codes() -> None:
    registered = sentence(
        entry(
            "UnitRegistered",
            *TRANSCRIBER,
            kind="park",
            name="苏州工业园区",
            division="320500",
            credit_code=None,
        )
    )
    assert registered.zh == "登记为园区：苏州工业园区，位于江苏省 苏州市"
    assert "320500" not in registered.zh + registered.en
    removed = sentence(
        entry(
            "Removed",
            *TRANSCRIBER,
            programme="green_park",
            jurisdiction="CN",
            ground="dynamic_adjustment",
            ended=["green_park@CN"],
            bans=[],
        )
    )
    assert removed.zh == "移出绿色工业园区名单（工业和信息化部），理由：动态调整（不再符合要求）"
    renamed = sentence(
        entry(
            "Renamed",
            "js-eit",
            "江苏省工业和信息化厅",
            new_name="苏州工业园区绿色发展区",
            reported_on="2022-06-10",
        )
    )
    assert renamed.zh == "更名为苏州工业园区绿色发展区（2022年6月10日报告）"


def test_a_line_without_details_falls_back_to_the_summary() -> None:
    said = sentence(entry("Designated", "js-eit", "江苏省工业和信息化厅"))
    assert (said.zh, said.en) == ("认定", "(the English summary)")


def test_a_transcribed_record_says_it_is_not_signed_by_the_ministry() -> None:
    signed = signature(
        entry("Designated", *TRANSCRIBER, programme="green_factory", jurisdiction="CN")
    )
    assert signed.transcribed
    assert signed.who.zh == "转录方（非工业和信息化部）"
    assert signed.meaning.en == (
        f"Transcribed from the published notice by {TRANSCRIBER[1]}, not signed by MIIT, the "
        "Ministry of Industry and Information Technology."
    )
    assert "不是工业和信息化部本身的签名" in signed.meaning.zh


def test_an_authority_signed_record_says_the_issuer_signed_it() -> None:
    signed = signature(entry("Renamed", "js-eit", "江苏省工业和信息化厅", new_name="x"))
    assert not signed.transcribed
    assert signed.who.zh == "发布机关 江苏省工业和信息化厅"
    assert signed.meaning.en.startswith("Signed by the issuing authority, 江苏省工业和信息化厅")
