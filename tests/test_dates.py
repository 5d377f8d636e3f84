"""EDTF dates: the regular-expression fast path agrees with the ``edtf`` package, and errors say how to fix."""

from __future__ import annotations

import datetime as dt
import random

import edtf
import pandas as pd
import pytest

from workbook import dates
from workbook.dates import EDTF_HELP, DateError, bounds_frame, edtf_bounds


def reference(text: str) -> tuple[dt.date | None, dt.date | None]:
    """The bounds as the edtf package computes them (None for an open end)."""
    parsed = edtf.parse_edtf(text)

    def to_date(value):
        return None if isinstance(value, float) else dt.date(value.tm_year, value.tm_mon, value.tm_mday)

    return to_date(parsed.lower_strict()), to_date(parsed.upper_strict())


def _one_date(rng: random.Random, year: int) -> str:
    form = rng.choice(["Y", "YM", "YMD", "YMD", "season"])
    if form == "Y":
        text = f"{year:04d}"
    elif form == "YM":
        text = f"{year:04d}-{rng.randint(1, 12):02d}"
    elif form == "season":
        # 24 (winter) differs on purpose (see below); a qualified season is EDTF level 2, which edtf refuses
        return f"{year:04d}-{rng.choice([21, 22, 23]):02d}"
    else:
        month = rng.randint(1, 12)
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        day = rng.choice([1, last, rng.randint(1, last)])  # the month's ends are where mistakes hide
        text = f"{year:04d}-{month:02d}-{day:02d}"
    return text + rng.choice(["", "", "?", "~", "%"])


def samples(n: int = 400) -> list[str]:
    rng = random.Random(0)
    years = [1000, 1600, 1700, 1900, 1904, 2000, 2100, 9999]  # leap-year rules and the edges
    out = []
    for _ in range(n):
        year = rng.choice(years) if rng.random() < 0.1 else rng.randint(1000, 2999)
        if rng.random() < 0.25 and year < 9990:
            end_year = year + rng.randint(1, 9)
            out.append(f"{_one_date(rng, year)}/{_one_date(rng, end_year)}")
        else:
            out.append(_one_date(rng, year))
    # leap days and month ends, always in (1900 is not a leap year, 2000 is)
    return out + ["1904-02-29", "2000-02-29", "1900-02-28", "1936-02-29~", "1936-12-31?", "1900-02", "2000-02%",
                  "1936-02-29/1936-03-01"]


SAMPLES = samples()


def test_samples_cover_the_common_forms():
    joined = " ".join(SAMPLES)
    for needle in ("?", "~", "%", "/", "-21", "-22", "-23", "-02-29", "-12-31"):
        assert needle in joined, needle
    assert len(set(SAMPLES)) > 350


def test_fast_path_agrees_with_edtf_on_random_samples():
    for text in SAMPLES:
        for side in text.split("/"):
            assert dates._single(side) is not None, f"{side!r} should take the fast path"
        assert edtf_bounds(text) == reference(text), text


def test_common_forms_never_call_edtf(monkeypatch):
    def refuse(text):
        raise AssertionError(f"the edtf package was called for {text!r}")

    monkeypatch.setattr(dates, "_slow", refuse)
    earliest, latest, errors = bounds_frame(pd.Series(SAMPLES))
    assert errors == {}
    assert earliest.notna().all() and latest.notna().all()


@pytest.mark.parametrize("text", ["193X", "1936-XX", "19XX", "1936-12-XX", "1923/..", "../1923",
                                  "1936-12-12T10:00:00", "1936-12-12T10:00:00Z", "1935-12~/1937?"])
def test_other_forms_agree_with_edtf(text):
    assert edtf_bounds(text) == reference(text)


def test_winter_spans_december_to_february():
    # edtf 5 gives only December for season 24; winter runs into the next year, and we say so
    assert reference("1935-24") == (dt.date(1935, 12, 1), dt.date(1935, 12, 31))
    assert edtf_bounds("1935-24") == (dt.date(1935, 12, 1), dt.date(1936, 2, 29))
    assert edtf_bounds("1936-24") == (dt.date(1936, 12, 1), dt.date(1937, 2, 28))


def test_qualifiers_do_not_widen_the_bounds():
    for q in "?~%":
        assert edtf_bounds(f"1936-12{q}") == edtf_bounds("1936-12")


def test_open_and_unknown_ends_have_no_bound():
    assert edtf_bounds("1923/..") == (dt.date(1923, 1, 1), None)
    assert edtf_bounds("../1923") == (None, dt.date(1923, 12, 31))
    # an unknown end is no bound either (edtf would guess ten years before the other end)
    assert edtf_bounds("/1930") == (None, dt.date(1930, 12, 31))
    assert reference("/1930")[0] == dt.date(1920, 12, 31)
    assert edtf_bounds("1930/") == (dt.date(1930, 1, 1), None)


HELP = f"; {EDTF_HELP}"


@pytest.mark.parametrize("text, message", [
    ("12/12/1936", "'12/12/1936' is not an EDTF date; write 1936-12-12 (year-month-day)"),
    ("25/01/1937", "'25/01/1937' is not an EDTF date; write 1937-01-25 (year-month-day)"),
    ("12/25/1937", "'12/25/1937' is not an EDTF date; write 1937-12-25 (year-month-day)"),
    ("12.12.1936", "'12.12.1936' is not an EDTF date; write 1936-12-12 (year-month-day)"),
    ("03/04/1936", "'03/04/1936' is not an EDTF date; write 1936-04-03 (3 April) or 1936-03-04 (4 March) "
                   "(year-month-day)"),
    ("12/1936", "'12/1936' is not an EDTF date; write 1936-12 (year-month)"),
    ("1936-1-5", "'1936-1-5' is not an EDTF date; write months and days with two digits, e.g. 1936-01-05"),
    (" 1936", "' 1936' is not an EDTF date; remove the spaces around it"),
    ("1936-12-12 ", "'1936-12-12 ' is not an EDTF date; remove the spaces around it"),
    ("1936-13", "'1936-13' is not an EDTF date: month 13 does not exist (01-12 are months, 21-24 are seasons)"),
    ("1936-00", "'1936-00' is not an EDTF date: month 00 does not exist (01-12 are months, 21-24 are seasons)"),
    ("1936-13-01", "'1936-13-01' is not an EDTF date: month 13 does not exist"),
    ("1937-02-29", "'1937-02-29' is not an EDTF date: 1937-02 has no day 29"),
    ("1936-02-30", "'1936-02-30' is not an EDTF date: 1936-02 has no day 30"),
    ("1936-04-31", "'1936-04-31' is not an EDTF date: 1936-04 has no day 31"),
    ("1937/1936", "'1937/1936' is an interval whose end precedes its start; write the earlier date first"),
    ("1936-12-12/1936-12-11",
     "'1936-12-12/1936-12-11' is an interval whose end precedes its start; write the earlier date first"),
    ("1937/1938-13", "'1937/1938-13' is not an EDTF date: in its end '1938-13', month 13 does not exist "
                     "(01-12 are months, 21-24 are seasons)"),
    ("1936-02-30/1937", "'1936-02-30/1937' is not an EDTF date: in its start '1936-02-30', 1936-02 has no day 30"),
    ("1936 / 1937", "'1936 / 1937' is not an EDTF date: its start '1936 ' is not a date; "
                    "remove the spaces around it"),
    ("1937/19x8", f"'1937/19x8' is not an EDTF date: its end '19x8' is not a date{HELP}"),
    ("early 1937", f"'early 1937' is not an EDTF date{HELP}"),
    ("1936-12-12/1937/1938", f"'1936-12-12/1937/1938' is not an EDTF date{HELP}"),
    ("../..", f"'../..' is not an EDTF date{HELP}"),
    ("١٩٣٦", f"'١٩٣٦' is not an EDTF date{HELP}"),  # other scripts' digits are not EDTF
    ("", f"'' is not an EDTF date{HELP}"),
    ("1" * 120, f"'{'1' * 20}…' (120 characters) is not an EDTF date{HELP}"),
])
def test_error_messages_say_how_to_write_the_date(text, message):
    with pytest.raises(DateError) as info:
        edtf_bounds(text)
    assert str(info.value) == message


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


def test_bounds_frame_keeps_the_index_and_reports_each_bad_cell():
    texts = pd.Series(["1936", "", "12/12/1936", "1936", "1934-23", "12/12/1936"], index=[10, 11, 12, 13, 14, 15])
    earliest, latest, errors = bounds_frame(texts)
    assert list(earliest.index) == list(texts.index)
    assert str(earliest.dtype) == "datetime64[s]"
    assert earliest[10] == pd.Timestamp("1936-01-01") and latest[10] == pd.Timestamp("1936-12-31")
    assert pd.isna(earliest[11]) and pd.isna(latest[11])  # empty: not known
    assert pd.isna(earliest[12])  # invalid
    assert latest[14] == pd.Timestamp("1934-11-30")
    assert set(errors) == {12, 15}
    assert errors[12] == "'12/12/1936' is not an EDTF date; write 1936-12-12 (year-month-day)"


def test_bounds_frame_parses_each_distinct_rare_form_once(monkeypatch):
    calls = []
    original = dates._slow
    monkeypatch.setattr(dates, "_slow", lambda text: calls.append(text) or original(text))
    earliest, _, _ = bounds_frame(pd.Series(["193X", "1936", "19XX", "193X", "", "193X"] * 100))
    assert sorted(calls) == ["193X", "19XX"]
    assert earliest.iloc[0] == pd.Timestamp("1930-01-01")


def test_bounds_frame_agrees_with_edtf_bounds_text_by_text():
    """The column-at-once path and the one-value path give the same bounds and the same errors."""
    texts = SAMPLES + ["193X", "1923/..", "../1923", "/1930", "1930/", "1935-24", "1936-21~", "0000", "-0500",
                       "1936-02-29", "1937-02-29", "1936-13", "1936-24-01", "1937/1936", "12/12/1936", " 1936",
                       "1936-12-12/1936-12-12", "1936-12-13/1936-12-12", "9999-24", "9999-12-31/..", "../.."]
    earliest, latest, errors = bounds_frame(pd.Series(texts))
    for i, text in enumerate(texts):
        try:
            lo, hi = edtf_bounds(text)
        except DateError as exc:
            assert errors.get(i) == str(exc), text
            assert pd.isna(earliest[i]) and pd.isna(latest[i]), text
            continue
        assert i not in errors, text
        assert (None if pd.isna(earliest[i]) else earliest[i].date()) == lo, text
        assert (None if pd.isna(latest[i]) else latest[i].date()) == hi, text


def test_bounds_frame_of_nothing():
    earliest, latest, errors = bounds_frame(pd.Series([], dtype="str"))
    assert len(earliest) == len(latest) == 0 and errors == {}
