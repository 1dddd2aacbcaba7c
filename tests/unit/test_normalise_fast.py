"""The shortcuts of the name normalisation give what the plain steps give."""

from __future__ import annotations

import sys
import unicodedata

import zhconv
from zhconv import zhconv as table

from greenreg.matching.normalise import simplified, strip


def test_no_conversion_is_made_of_ascii_alone() -> None:
    conversions = table.getdict("zh-cn")
    assert conversions
    assert not [key for key in conversions if key.isascii()]


def test_simplified_is_zhconv() -> None:
    for text in (
        "蘇州工業園區",
        "苏州工业园区",
        "91320505mA1P7XQC3C",
        "ip位址",
        "a肝",
        "16進位",
        "",
    ):
        assert simplified(text) == zhconv.convert(text, "zh-cn")


def test_strip_drops_what_the_categories_say() -> None:
    sample = "".join(chr(code) for code in range(0x3100)) + "苏州（工业）园区·有限公司\U0001f600"
    expected = "".join(c for c in sample if unicodedata.category(c)[0] not in "PZSC")
    assert strip(sample) == expected
    assert strip(sample) == expected  # the second time from what the first one learnt
    assert strip(chr(sys.maxunicode)) == ""
