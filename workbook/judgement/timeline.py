"""Timelines and alibis: when events are said to have happened, when it was said, and who was elsewhere.

Dates in a case are EDTF texts with an earliest and a latest possible day
(``1936-12`` runs from 1 to 31 December).  Every computation here works on
those bounds, never on a guessed single day, so uncertainty shows as a range.

* :func:`timeline` lines up each testimony with the event it speaks of and
  gives the gap between the event and the telling, as a minimum and a maximum.
* :func:`whereabouts_conflicts` checks alleged meetings against documented
  stays of the people named elsewhere: an alibi, certain or only possible.
* :func:`plot_timeline` draws the timeline.

The rule for alibis, in days (both ends of every range included):

* the claim's range is ``[event_earliest, event_latest]``: the meeting
  happened on one of these days, we do not know which;
* a stay's *possible* range is ``[start_earliest, end_latest]``: the person may
  have been there on any of these days;
* a stay's *certain* range is ``[start_latest, end_earliest]``: the days on
  which the person was surely there whatever the exact start and end (the
  stay began at the latest on ``start_latest`` and ended at the earliest on
  ``end_earliest``).  It is empty when ``start_latest > end_earliest``, as for
  a stay known only as "in December 1935";
* a stay whose ``end`` is empty is a presence at its ``start`` only: its end
  bounds are those of the start (so ``start`` = ``1935-12`` says "there at
  some time in December 1935", with no certain day) -- unless ``start`` is an
  interval (``1932-11-23/1932-12-02``), which is then the stay itself: from
  its first part to its last;
* ``conflict``: the claim's whole range lies within the stay's certain range,
  so on whichever day the meeting is put, the person was elsewhere;
* ``conflict`` too when no single stay covers the claim's range but several
  stays elsewhere do together (their certain ranges, joined day to day, cover
  it: at sea, then landing, then a villa).  That row lists the stays needed
  (earliest first, each adding days), their places and sources ``;``-joined,
  and comes after the single stays of that claim and person;
* ``possible``: the claim's range and the stay's possible range share a day,
  but the claim's range is not wholly certain-elsewhere;
* an open end (``1937-01/..``, or an unknown bound) is unbounded in its
  direction for ``possible`` and never yields ``conflict`` (a stay ending
  ``1937-02/..`` still ended at the earliest on 1 February 1937: that known
  bound is used);
* the qualifiers ``~`` and ``?`` do not widen a date (as everywhere in the
  workbook); the notes say when the claim's date carries one;
* a stay at the *same place* as the claim is not an alibi and is not listed.
  Places are compared as text: letter case, accents of form (NFKC) and spaces
  are folded, and one place counts as the same as another when its words appear,
  in order and whole, within the other (``Copenhagen`` and ``Hotel Bristol,
  Copenhagen``);
* a stay in the *same region* is at most ``possible``, never a ``conflict``,
  and does not count towards a joined conflict: two places are in the same
  region when the last comma-separated part of one (without its brackets,
  e.g. the country in ``near Oslo (Kjeller airfield), Norway``) appears in the
  other (``Wexhall, Norderhov near Hønefoss, Norway``).  Write places from
  the particular to the general to benefit from this.  The rule is cautious:
  it never makes a conflict, it only withholds one (also in a large country,
  where the places may be days apart).

Nothing is geocoded and no travel times are known: read every ``conflict``
with the places and the sources in mind.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..case.dates import DateError, edtf_bounds
from ..case.model import split_list

if TYPE_CHECKING:  # pragma: no cover
    from ..case.model import Case

__all__ = ["timeline", "whereabouts_conflicts", "same_place", "same_region", "QUALIFIED"]

TIMELINE_COLUMNS = ("testimony_id", "claim_id", "stance", "speaker_id", "event_date", "event_earliest",
                    "event_latest", "given", "given_earliest", "given_latest", "gap_days_min", "gap_days_max")
CONFLICT_COLUMNS = ("claim_id", "person_id", "claim_place", "event_date", "stay_place", "stay_start",
                    "stay_end", "status", "claim_sources", "stay_source_id", "notes")
_DAY = np.timedelta64(1, "D")
QUALIFIED = "approximate or uncertain, its bounds not widened"


def _days(delta: pd.Series) -> pd.Series:
    return (delta / _DAY).round().astype("Int64")


def timeline(case: Case) -> pd.DataFrame:
    """One row per testimony about a claim that has an event date: the event, the telling, the gap.

    Columns: ``testimony_id``, ``claim_id``, ``stance``, ``speaker_id``,
    ``event_date`` (the EDTF text), ``event_earliest``, ``event_latest``,
    ``given``, ``given_earliest``, ``given_latest``, and ``gap_days_min`` /
    ``gap_days_max``: the least and the greatest number of days that can lie
    between the event and the testimony given the bounds (``given_earliest -
    event_latest`` and ``given_latest - event_earliest``; empty where a bound is
    unknown or open; negative when the testimony may predate the event).
    Sorted by event, then by date given (each by its earliest day, or its
    latest where the start is open), then by testimony id.

    >>> from workbook import load_case
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> timeline(case)[["testimony_id", "claim_id", "given", "gap_days_min", "gap_days_max"]]
             testimony_id claim_id       given  gap_days_min  gap_days_max
    0     t-miller-letter   motive  1850-06-03          -211           153
    1  t-neighbour-market  meeting  1850-07-02            53            53
    2     t-miller-letter     fire  1850-06-03            22            22
    3      t-miller-court     fire  1850-07-02            51            51
    4   t-neighbour-court     fire  1850-07-02            51            51
    5           t-history     fire        1950         36393         36757
    """
    claims = case.claims[["claim_id", "event_date", "event_date_earliest", "event_date_latest"]]
    claims = claims[claims["event_date_earliest"].notna() | claims["event_date_latest"].notna()]
    claims = claims.rename(columns={"event_date_earliest": "event_earliest", "event_date_latest": "event_latest"})
    testimonies = case.testimonies[["testimony_id", "speaker_id", "given", "given_earliest", "given_latest"]]
    frame = (case.evidence[["testimony_id", "claim_id", "stance"]]
             .merge(claims, on="claim_id", how="inner")
             .merge(testimonies, on="testimony_id", how="left"))
    frame["gap_days_min"] = _days(frame["given_earliest"] - frame["event_latest"])
    frame["gap_days_max"] = _days(frame["given_latest"] - frame["event_earliest"])
    # an open start ("/1937-01-22": on or before) sorts by the known end
    frame["_event"] = frame["event_earliest"].fillna(frame["event_latest"])
    frame["_given"] = frame["given_earliest"].fillna(frame["given_latest"])
    frame = frame.sort_values(["_event", "event_latest", "_given", "given_latest", "testimony_id", "claim_id"],
                              kind="stable", na_position="last")
    return frame[list(TIMELINE_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- alibis


def _place_words(place: str) -> list[str]:
    text = unicodedata.normalize("NFKC", place).casefold()
    return re.findall(r"\w+", text)


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(words[i:i + n] == part for i in range(len(words) - n + 1))


def same_place(a: str, b: str) -> bool:
    """Whether two place texts count as the same place (see the module's notes).

    >>> same_place("Copenhagen", "Hotel Bristol,  copenhagen")
    True
    >>> same_place("Oslo", "Norway (Wexhall, near Hønefoss)")
    False
    >>> same_place("Berlin", "")
    False
    """
    wa, wb = _place_words(a), _place_words(b)
    if not wa or not wb:
        return False
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return _contains(long, short)


def _region(place: str) -> list[str]:
    without_brackets = re.sub(r"\([^)]*\)", " ", place)
    parts = [p for p in without_brackets.split(",") if p.strip()]
    return _place_words(parts[-1]) if parts else []


def same_region(a: str, b: str) -> str:
    """The region two places share (see the module's notes), or ``""``.

    >>> same_region("near Oslo (Kjeller airfield), Norway", "Wexhall near Hønefoss, Norway (Knudsen's house)")
    'Norway'
    >>> same_region("Bois de Boulogne, Paris", "Saint-Palais near Royan")
    ''
    """
    for first, second in ((a, b), (b, a)):
        region = _region(first)
        if region and _contains(_place_words(second), region):
            without_brackets = re.sub(r"\([^)]*\)", " ", first)
            return " ".join(without_brackets.split(",")[-1].split())
    return ""


def _bound(text: str) -> tuple[object, object]:
    if text in ("", ".."):
        return pd.NaT, pd.NaT
    try:
        lo, hi = edtf_bounds(text)
    except DateError:
        return pd.NaT, pd.NaT
    return (pd.Timestamp(lo) if lo else pd.NaT), (pd.Timestamp(hi) if hi else pd.NaT)


def _stay_bounds(stay) -> tuple[object, object, object, object]:
    """``(start_earliest, start_latest, end_earliest, end_latest)`` of a stay (see the module's notes)."""
    if stay.end != "":
        return stay.start_earliest, stay.start_latest, stay.end_earliest, stay.end_latest
    if "/" in stay.start:  # an interval and no end: the interval is the stay
        first, _, last = stay.start.partition("/")
        return (*_bound(first), *_bound(last))
    return stay.start_earliest, stay.start_latest, stay.start_earliest, stay.start_latest


def _fmt(day) -> str:
    return "open" if pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m-%d")


def _status(c0, c1, s0, s1, p0, p1) -> tuple[str | None, str]:
    """Compare the claim's range [c0, c1] with a stay's certain [s0, s1] and possible [p0, p1] ranges."""
    known = all(pd.notna(x) for x in (c0, c1, s0, s1))
    if known and s0 <= s1 and s0 <= c0 and c1 <= s1:
        return "conflict", (f"the claim's days {_fmt(c0)} to {_fmt(c1)} lie within the days the person was "
                            f"surely there, {_fmt(s0)} to {_fmt(s1)}")
    lo = max((x for x in (c0, p0) if pd.notna(x)), default=None)
    hi = min((x for x in (c1, p1) if pd.notna(x)), default=None)
    if lo is not None and hi is not None and lo > hi:
        return None, ""
    certain = (f"surely there {_fmt(s0)} to {_fmt(s1)}" if pd.notna(s0) and pd.notna(s1) and s0 <= s1
               else "no day on which the person was surely there")
    opened = " (an open end counts as unbounded)" if any(pd.isna(x) for x in (c0, c1, p0, p1)) else ""
    return "possible", (f"the claim's days {_fmt(c0)} to {_fmt(c1)} overlap the stay's possible days "
                        f"{_fmt(p0)} to {_fmt(p1)}{opened}; {certain}")


def _covered(c0, c1, intervals: list[tuple]) -> list | None:
    """The fewest intervals that together cover [c0, c1] day by day, or None when they leave a gap.

    The usual greedy cover: from the first uncovered day, take the interval
    that starts by then and reaches furthest (the earlier one on a tie).
    """
    ordered = sorted(intervals, key=lambda x: (x[0], x[1]))
    used, cursor = [], c0
    while cursor <= c1:
        best = None
        for lo, hi, item in ordered:
            if lo <= cursor and hi >= cursor and (best is None or hi > best[1]):
                best = (lo, hi, item)
        if best is None:
            return None
        used.append(best[2])
        cursor = best[1] + pd.Timedelta(days=1)
    return used


def whereabouts_conflicts(case: Case) -> pd.DataFrame:
    """Alleged meetings that collide with documented whereabouts of the people they name.

    For each claim with a ``place``, an ``event_date`` and ``people``, and for
    each person named who has rows in ``whereabouts.csv`` at another place,
    the claim's dates are compared with the stay (the rule is in this module's
    notes): ``conflict`` when the person was surely elsewhere on every day the
    meeting can be dated to (by one stay, or by several together),
    ``possible`` when the dates overlap without that certainty; stays that do
    not overlap are not listed.

    Columns: ``claim_id``, ``person_id``, ``claim_place``, ``event_date``,
    ``stay_place``, ``stay_start``, ``stay_end`` (EDTF texts as written),
    ``status``, ``claim_sources`` (the sources of the testimonies that support
    the claim, ``;``-joined and sorted), ``stay_source_id`` (the source that
    documents the stay) and ``notes`` (the days compared).  Sorted by the
    claims' order in ``claims.csv``, then person, then the stay's start.

    >>> from workbook import load_case
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> conflicts = whereabouts_conflicts(case)
    >>> conflicts[["claim_id", "person_id", "claim_place", "status", "stay_source_id"]]
      claim_id person_id  claim_place    status stay_source_id
    0     fire    miller  the village  conflict    letter-1850
    >>> print(conflicts.at[0, "stay_place"])
    at his brother's in the market town
    >>> print(conflicts.at[0, "notes"])
    the claim's days 1850-05-12 to 1850-05-12 lie within the days the person was surely there, 1850-05-09 to 1850-05-13

    The meeting at the market (1850-05-10) is not listed: the miller's stay was
    in the market town itself.
    """
    claims = case.claims
    stays = case.whereabouts
    evidence = case.evidence
    sources_of = dict(zip(case.testimonies["testimony_id"], case.testimonies["source_id"]))
    records = []
    for claim in claims.itertuples(index=False):
        people = split_list(claim.people)
        if not claim.place or not claim.event_date or not people:
            continue
        supporting = evidence[(evidence["claim_id"] == claim.claim_id) & (evidence["stance"] == "supports")]
        claim_sources = ";".join(sorted({sources_of[t] for t in supporting["testimony_id"] if t in sources_of}))
        c0, c1 = claim.event_date_earliest, claim.event_date_latest
        qualified = any(q in claim.event_date for q in "~?%")
        base = {"claim_id": claim.claim_id, "claim_place": claim.place, "event_date": claim.event_date,
                "claim_sources": claim_sources}
        for person in sorted(set(people)):
            mine = stays[stays["person_id"] == person]
            mine = mine.sort_values(["start_earliest", "start_latest"], kind="stable", na_position="first")
            found, certain = [], []
            for stay in mine.itertuples(index=False):
                if same_place(claim.place, stay.place):
                    continue
                region = same_region(claim.place, stay.place)
                s0, s1, e0, e1 = _stay_bounds(stay)
                status, notes = _status(c0, c1, s1, e0, s0, e1)
                if status is None:
                    continue
                if region:
                    notes += f"; both places are in {region}: not far enough apart to rule the meeting out"
                    status = "possible"
                elif pd.notna(s1) and pd.notna(e0) and s1 <= e0:
                    certain.append((s1, e0, stay))
                if qualified:
                    notes += f"; the claim's date {claim.event_date} is {QUALIFIED}"
                found.append({**base, "person_id": person, "stay_place": stay.place, "stay_start": stay.start,
                              "stay_end": stay.end, "status": status, "stay_source_id": stay.source_id,
                              "notes": notes})
            records += found
            if pd.isna(c0) or pd.isna(c1) or any(r["status"] == "conflict" for r in found):
                continue
            used = _covered(c0, c1, certain)
            if used:
                records.append({
                    **base, "person_id": person,
                    "stay_place": "; ".join(dict.fromkeys(st.place for st in used)),
                    "stay_start": used[0].start, "stay_end": used[-1].end or used[-1].start, "status": "conflict",
                    "stay_source_id": ";".join(sorted({st.source_id for st in used})),
                    "notes": (f"no single stay covers the claim's days {_fmt(c0)} to {_fmt(c1)}, but these "
                              f"{len(used)} stays elsewhere do together, day after day"
                              + (f"; the claim's date {claim.event_date} is {QUALIFIED}" if qualified else "")),
                })
    frame = pd.DataFrame(records, columns=list(CONFLICT_COLUMNS))
    return frame.astype({c: "str" for c in CONFLICT_COLUMNS}).reset_index(drop=True)
