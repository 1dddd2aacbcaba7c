"""``greenreg import FILE``: one announcement's list, as published, becomes signed acts.

Each announcement is one transaction; importing it again records nothing new; a file that
cannot be imported (layout, empty cells, a region that maps to no province) is refused with
the rows at fault, and nothing is recorded. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.cli.common import app
from greenreg.errors import GreenregError, HistoryError, ListFileError, RegionError
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.events.vocabulary import Programme
from greenreg.importer.announcements import Announcement, announcement_of_file
from greenreg.importer.lists import read_list
from greenreg.importer.loading import import_announcement
from greenreg.importer.transcription import (
    TRANSCRIBER_CODE,
    TRANSCRIBER_NAME,
    TRANSCRIBER_PROGRAMMES,
    unit_id_of,
)
from tests.support import World

FACTORIES = """序号,地区,工厂名称,行业,第三方评价机构,批次
1,江苏,江苏示例电缆有限公司,机械,某认证中心,7
2,宁波,宁波示例电器有限公司,家电,某认证中心,7
3,新疆兵团,兵团示例棉业有限公司,纺织,某认证中心,7
"""
SUPPLY_CHAIN = """序号,地区,企业名称,第三方评价机构,批次
1,江苏,江苏示例电缆有限公司,某认证中心,8
2,浙江,浙江示例汽车有限公司,某认证中心,8
"""
DOC_7, DOC_8 = "工信厅节函〔2023〕64号", "工信厅节函〔2024〕1号"


@pytest.fixture
def transcriber(world: World) -> Issuer:
    """The transcription authority, registered by the root; its key valid since 2000."""
    world.submit(
        world.root,
        "register_authority",
        effective_date="2026-01-01",
        document="registration of the transcriber",
        code=TRANSCRIBER_CODE,
        name=TRANSCRIBER_NAME,
        jurisdiction="CN",
        programmes=[p.value for p in TRANSCRIBER_PROGRAMMES],
    )
    issuer = Issuer(TRANSCRIBER_CODE, Ed25519Signer.generate())
    world.add_key(issuer, valid_from=datetime(2000, 1, 1, tzinfo=UTC))
    return issuer


@pytest.fixture
def greenreg(world: World, database_url: str) -> Iterator[Greenreg]:
    app_ = open_greenreg(database_url, clock=world.clock)
    try:
        yield app_
    finally:
        app_.close()


def announcement(path: Path, document: str, day: str, label: str = "") -> Announcement:
    """What ``greenreg import FILE --announcement DOC --date DAY`` reads."""
    return announcement_of_file(
        read_list(path), label=label, document=document, effective_date=date.fromisoformat(day)
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_list_file_is_recorded_in_one_go_and_a_rerun_records_nothing(
    world: World, greenreg: Greenreg, transcriber: Issuer, tmp_path: Path
) -> None:
    notice = announcement(write(tmp_path, "f.csv", FACTORIES), DOC_7, "2023-03-23", "第七批")

    # When the announcement is imported, each row is a unit registered and designated
    result = import_announcement(greenreg, transcriber, notice)
    assert (result.acts, result.recorded, result.already_recorded) == (6, 6, 0)
    assert result.events == {"UnitRegistered": 3, "Designated": 3}
    for name, division in [
        ("江苏示例电缆有限公司", "320000"),
        ("宁波示例电器有限公司", "330000"),  # a city with separate plan status: its province
        ("兵团示例棉业有限公司", "650000"),  # the Corps: Xinjiang
    ]:
        unit = world.registry.unit(str(unit_id_of(Programme.GREEN_FACTORY, name)))
        assert (unit.state.name, unit.state.kind, unit.state.division) == (
            name,
            "enterprise",
            division,
        )
        assert unit.state.credit_code is None
        listing = unit.state.designations[("green_factory", "CN")]
        assert (listing.since, listing.document_number, listing.batch) == (
            date(2023, 3, 23),
            DOC_7,
            "第七批",
        )

    # When it is imported again, every act is answered "already recorded", nothing changes
    before = world.snapshot()
    again = import_announcement(greenreg, transcriber, notice)
    assert (again.acts, again.recorded, again.already_recorded) == (6, 0, 6)
    assert world.snapshot() == before


def test_an_xlsx_list_in_the_published_layout(
    world: World, greenreg: Greenreg, transcriber: Issuer, tmp_path: Path
) -> None:
    # Given a spreadsheet as published: a title row, then the header, numbers as numbers
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["附件3 绿色工业园区名单"])
    sheet.append(["序号", "地区", "园区", "第三方评价机构", "批次"])
    sheet.append([1, "青岛", "青岛示例工业园区", "某认证中心", None])
    sheet.append([2, "内蒙", "内蒙古示例经济开发区", None, None])
    path = tmp_path / "parks.xlsx"
    book.save(path)

    result = import_announcement(greenreg, transcriber, announcement(path, DOC_7, "2023-03-23"))

    assert result.events == {"UnitRegistered": 2, "Designated": 2}
    park = world.registry.unit(str(unit_id_of(Programme.GREEN_PARK, "青岛示例工业园区")))
    assert (park.state.kind, park.state.division) == ("park", "370000")
    assert park.state.designations[("green_park", "CN")].batch is None


def test_a_unit_in_a_later_list_of_another_programme_is_the_same_unit(
    world: World, greenreg: Greenreg, transcriber: Issuer, tmp_path: Path
) -> None:
    import_announcement(
        greenreg,
        transcriber,
        announcement(write(tmp_path, "f.csv", FACTORIES), DOC_7, "2023-03-23"),
    )
    later = announcement(write(tmp_path, "s.csv", SUPPLY_CHAIN), DOC_8, "2024-01-05")

    result = import_announcement(greenreg, transcriber, later)

    # Only the new enterprise is registered; the cable maker gets a second designation
    assert result.events == {"UnitRegistered": 1, "Designated": 2}
    cable = world.registry.unit(str(unit_id_of(Programme.GREEN_FACTORY, "江苏示例电缆有限公司")))
    assert sorted(cable.state.designations) == [
        ("green_factory", "CN"),
        ("green_supply_chain", "CN"),
    ]
    # And importing the later announcement again records nothing
    again = import_announcement(greenreg, transcriber, later)
    assert (again.acts, again.recorded, again.already_recorded) == (3, 0, 3)


def test_an_announcement_with_a_refused_act_records_nothing(
    world: World, greenreg: Greenreg, transcriber: Issuer, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", FACTORIES)
    import_announcement(greenreg, transcriber, announcement(path, DOC_7, "2023-03-23"))
    # Given a later announcement that lists a new factory and one already on the list
    relisting = write(
        tmp_path,
        "again.csv",
        "序号,地区,工厂名称\n1,浙江,浙江新示例有限公司\n2,江苏,江苏示例电缆有限公司\n",
    )
    before = world.snapshot()

    with pytest.raises(HistoryError, match=r"act 3 of the batch.*already on this list"):
        import_announcement(greenreg, transcriber, announcement(relisting, DOC_8, "2024-01-05"))

    # Then not even the new factory was recorded
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "error", "words"),
    [
        (
            "regions.csv",
            "序号,地区,工厂名称\n1,江苏,甲有限公司\n2,火星,乙有限公司\n3,苏州,丙有限公司\n",
            RegionError,
            ["row 3 (序号 2): '火星' (乙有限公司)", "row 4 (序号 3): '苏州' (丙有限公司)"],
        ),
        ("no-name.csv", "序号,地区,名称\n1,江苏,甲有限公司\n", ListFileError, ["name column"]),
        ("no-header.csv", "江苏,甲有限公司\n", ListFileError, ["no header row"]),
        ("empty.csv", "序号,地区,工厂名称\n", ListFileError, ["no rows"]),
        (
            "blank.csv",
            "序号,地区,工厂名称\n1,江苏,甲有限公司\n2,江苏,\n",
            ListFileError,
            ["row 3 (序号 2): no 工厂名称"],
        ),
        (
            "twice.csv",
            "序号,地区,工厂名称\n1,江苏,甲（苏州）有限公司\n2,江苏,甲(苏州)有限公司\n",
            ListFileError,
            ["row 3 (序号 2)", "listed already in row 2"],
        ),
        (
            "batches.csv",
            "序号,地区,工厂名称,批次\n1,江苏,甲有限公司,1\n2,江苏,乙有限公司,2\n",
            ListFileError,
            ["several batches (1, 2)"],
        ),
        ("list.pdf", "%PDF-1.4", ListFileError, ["a list file is .csv or .xlsx"]),
        ("damaged.xlsx", "not a zip file", ListFileError, ["not a readable XLSX workbook"]),
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_recorded(  # noqa: PLR0917 (pytest)
    world: World,
    greenreg: Greenreg,
    transcriber: Issuer,
    tmp_path: Path,
    name: str,
    content: str,
    error: type[GreenregError],
    words: list[str],
) -> None:
    path = write(tmp_path, name, content)
    before = world.snapshot()

    with pytest.raises(error) as refused:
        import_announcement(greenreg, transcriber, announcement(path, DOC_7, "2023-03-23"))

    for word in words:
        assert word in str(refused.value)
    assert world.snapshot() == before


# --- the command ------------------------------------------------------------------------------


def greenreg_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_import_command_imports_a_file_and_a_rerun_records_nothing(
    world: World, database_url: str, transcriber: Issuer, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "transcriber.key").write_text(b64encode(transcriber.signer.seed) + "\n")
    path = write(tmp_path, "f.csv", FACTORIES)
    command = ["import", str(path), "--announcement", DOC_7, "--date", "2023-03-23"]
    command += ["--batch", "第七批", "--keys", str(keys), "--database", database_url]

    status, output = greenreg_cli(*command)
    assert status == 0, output
    assert f"第七批 ({DOC_7}): 6 acts, 6 recorded" in output
    before = world.snapshot()

    status, output = greenreg_cli(*command)
    assert status == 0, output
    assert "0 recorded (nothing), 6 already recorded" in output
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("args", "words", "exit_status"),
    [
        ([], "give either a list FILE or --shipped", 2),
        (["f.csv", "--date", "2023-03-23"], "needs --announcement", 3),
        (["f.csv", "--announcement", DOC_7, "--date", "23.3.2023"], "YYYY-MM-DD", 3),
        (["f.csv", "--announcement", DOC_7, "--date", "2023-03-23"], "no private key file", 2),
        (["--shipped"], "there is no private key file", 2),
        (
            ["f.csv", "--announcement", DOC_7, "--date", "2023-03-23", "--authority", "x"],
            "no authority 'x'",
            3,
        ),
    ],
)
def test_the_import_command_refuses_with_a_reason_and_records_nothing(  # noqa: PLR0917 (pytest)
    world: World,
    database_url: str,
    transcriber: Issuer,
    tmp_path: Path,
    args: list[str],
    words: str,
    exit_status: int,
) -> None:
    write(tmp_path, "f.csv", FACTORIES)
    args = [str(tmp_path / a) if a == "f.csv" else a for a in args]
    before = world.snapshot()

    status, output = greenreg_cli(
        "import", *args, "--keys", str(tmp_path / "keys"), "--database", database_url
    )

    assert status == exit_status  # 2 usage, 3 refused
    assert words in " ".join(output.split())
    assert world.snapshot() == before
