"""Timelines and alibis on a small hand-made case whose answers are worked out below."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from workbook import load_case, plot_timeline, timeline, whereabouts_conflicts
from workbook.timeline import CONFLICT_COLUMNS, same_place, same_region

matplotlib.use("Agg")

# Stays (the person was surely there on the "certain" days, maybe on the "possible" ones):
#   w-sedov-cph   sedov    Copenhagen  1932-11-20 .. 1932-12-05   certain 11-20..12-05, possible the same
#   w-trotsky-pr  trotsky  Prinkipo    1932-11    .. 1933-07      certain 1932-11-30..1933-07-01,
#                                                                 possible 1932-11-01..1933-07-31
#   w-trotsky-mx  trotsky  Mexico      1937-01-09 .. 1937-02/..   certain 1937-01-09..1937-02-01,
#                                                                 possible 1937-01-09..(open)
#   w-sedov-par   sedov    Paris       1935-12, no end            a presence some day in December 1935:
#                                                                 certain none, possible 12-01..12-31
#   w-radek       radek    Moscow      1935-06-01/1935-06-30, no end: the interval is the stay (June)
#   radek         Wexhall, near Hønefoss, Norway   1935-06-18 .. 1936-09-02  (Norway: the region of Kjeller)
#   rakovsky      at sea 1933-07-17..07-24, Cassis 07-24, Saint-Palais 07-25..10-09: no single stay covers
#                 21-31 July, at sea and Saint-Palais together do (a joined conflict; Cassis adds no day)
FILES = {
    "sources.csv": (
        "source_id,title,kind\n"
        "s-trial,Report of the court proceedings,trial_transcript\n"
        "s-passport,Passport stamps,official_report\n"
        "s-letter,A letter,letter\n"
        "s-memoir,A memoir,memoir\n"
    ),
    "people.csv": ("person_id,name\nsedov,Lev Sedov\ntrotsky,L. D. Trotsky\nholtzman,E. S. Holtzman\nradek,Karl Radek\n"
                   "rakovsky,Christian Rakovsky\n"),
    "claims.csv": (
        "claim_id,statement,event_date,place,people\n"
        "inside,Met Sedov in Berlin,1932-11-25,Berlin,holtzman;sedov\n"       # w-sedov-cph: conflict
        "edge,Met Sedov in Berlin in December,1932-12,Berlin,sedov\n"         # w-sedov-cph: possible (Dec 1-5)
        "outside,Met Sedov in Berlin in January,1933-01-05,Berlin,sedov\n"    # nothing
        "same,Met Sedov at the hotel,1932-11-25,\"Hotel Bristol, Copenhagen\",sedov\n"  # same place: nothing
        "early,Met both in Berlin,1932-11-15,Berlin,trotsky;sedov\n"          # w-trotsky-pr possible only
        "spring,Met Trotsky in Oslo,1933-03,Oslo,trotsky\n"                   # w-trotsky-pr conflict
        "mx-early,Met Trotsky in Moscow,1937-01-20,Moscow,trotsky\n"          # w-trotsky-mx conflict
        "mx-late,Met Trotsky in Moscow later,1938-05-01,Moscow,trotsky\n"     # w-trotsky-mx possible (open end)
        "paris,Met Sedov in Berlin in 1935,1935-12-12,Berlin,sedov\n"         # w-sedov-par possible
        "open,Met Sedov from 22 Nov 1932 on,1932-11-22/..,Berlin,sedov\n"     # cph possible, par possible
        "exact,Met Sedov during his stay,1932-11-20/1932-12-05,Berlin,sedov\n"  # cph conflict (ends included)
        "june,Met Radek in Oslo,1935-06-15,Oslo,radek\n"                      # w-radek conflict
        "noplace,Met Sedov somewhere,1932-11-25,,sedov\n"                     # no place: skipped
        "nodate,Met Sedov in Berlin once,,Berlin,sedov\n"                     # no date: skipped
        "nopeople,Someone met in Berlin,1932-11-25,Berlin,\n"                 # no people: skipped
        "romm,Met Rakovsky in Paris,1933-07-21/1933-07-31,\"Bois de Boulogne, Paris\",rakovsky\n"  # joined
        "kjeller,Met Radek near Oslo,1935-12,\"near Oslo (Kjeller airfield), Norway\",radek\n"  # same region
        "meran,Met Rakovsky at Meran,1933-10-05~,\"Meran, Italy\",rakovsky\n"  # conflict, approximate date
    ),
    "testimonies.csv": (
        "testimony_id,source_id,given,setting,quote,speaker_id\n"
        "t-holtzman,s-trial,1936-08-20,open_court,We met in Berlin.,holtzman\n"
        "t-holtzman-memo,s-memoir,1950,memoir,He says they met.,\n"
        "t-doubt,s-letter,1936-09,private_letter,They cannot have met.,trotsky\n"
        "t-spring,s-trial,1937-01-25,open_court,I went to Oslo in spring.,\n"
    ),
    "evidence.csv": (
        "testimony_id,claim_id,stance\n"
        "t-holtzman,inside,supports\n"
        "t-holtzman-memo,inside,supports\n"
        "t-doubt,inside,contradicts\n"
        "t-spring,spring,supports\n"
        "t-holtzman,edge,qualifies\n"
    ),
    "whereabouts.csv": (
        "person_id,place,start,source_id,end\n"
        "sedov,Copenhagen,1932-11-20,s-passport,1932-12-05\n"
        "trotsky,Prinkipo,1932-11,s-letter,1933-07\n"
        "trotsky,Mexico,1937-01-09,s-memoir,1937-02/..\n"
        "sedov,Paris,1935-12,s-letter,\n"
        "radek,Moscow,1935-06-01/1935-06-30,s-trial,\n"
        "radek,\"Wexhall, near Hønefoss, Norway (Knudsen's house)\",1935-06-18,s-letter,1936-09-02\n"
        "rakovsky,\"At sea, Turkey to France\",1933-07-17,s-memoir,1933-07-24\n"
        "rakovsky,\"Cassis, France\",1933-07-24,s-passport,1933-07-24\n"
        "rakovsky,\"Saint-Palais near Royan, France\",1933-07-25,s-passport,1933-10-09\n"
    ),
}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alibi")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_case(folder)


def test_conflict_possible_and_none_worked_out_by_hand(case):
    got = whereabouts_conflicts(case)
    assert list(got.columns) == list(CONFLICT_COLUMNS)
    rows = list(got[["claim_id", "person_id", "stay_place", "status"]].itertuples(index=False, name=None))
    assert rows == [
        ("inside", "sedov", "Copenhagen", "conflict"),     # 11-25 lies in the certain 11-20..12-05
        ("edge", "sedov", "Copenhagen", "possible"),       # December overlaps the stay on Dec 1-5 only
        ("early", "trotsky", "Prinkipo", "possible"),      # 11-15: he may have arrived in November
        ("spring", "trotsky", "Prinkipo", "conflict"),     # March 1933 inside 1932-11-30..1933-07-01
        ("mx-early", "trotsky", "Mexico", "conflict"),     # 01-20 inside 01-09..02-01 (the known end bound)
        ("mx-late", "trotsky", "Mexico", "possible"),      # the end is open: possible, never conflict
        ("paris", "sedov", "Paris", "possible"),           # "in December 1935": no certain day
        ("open", "sedov", "Copenhagen", "possible"),       # open claim range: never a conflict
        ("open", "sedov", "Paris", "possible"),            # ... and unbounded towards later stays
        ("exact", "sedov", "Copenhagen", "conflict"),      # both ends of the ranges are included
        ("june", "radek", "Moscow", "conflict"),           # an interval start with no end is the stay
        ("romm", "rakovsky", "At sea, Turkey to France", "possible"),    # 21-24 of 21-31
        ("romm", "rakovsky", "Cassis, France", "possible"),              # the 24th
        ("romm", "rakovsky", "Saint-Palais near Royan, France", "possible"),  # 25-31
        ("romm", "rakovsky", "At sea, Turkey to France; Saint-Palais near Royan, France",
         "conflict"),  # together every day from 21 to 31 July (the stays needed, earliest first: Cassis is not)
        ("kjeller", "radek", "Wexhall, near Hønefoss, Norway (Knudsen's house)", "possible"),  # same region
        ("meran", "rakovsky", "Saint-Palais near Royan, France", "conflict"),  # 10-05 in 07-25..10-09
    ]
    # "outside" (after the stay), "same" (same place), and the claims without place, date or people: no rows
    assert not {"outside", "same", "noplace", "nodate", "nopeople"} & set(got["claim_id"])


def test_sources_on_both_sides(case):
    got = whereabouts_conflicts(case).set_index(["claim_id", "person_id", "stay_place"])
    inside = got.loc[("inside", "sedov", "Copenhagen")]
    assert inside["claim_sources"] == "s-memoir;s-trial"  # the supporting testimonies only, sorted, distinct
    assert inside["stay_source_id"] == "s-passport"
    assert (inside["claim_place"], inside["event_date"], inside["stay_start"], inside["stay_end"]) == (
        "Berlin", "1932-11-25", "1932-11-20", "1932-12-05")
    assert got.loc[("edge", "sedov", "Copenhagen"), "claim_sources"] == ""  # only a qualifying testimony
    assert got.loc[("spring", "trotsky", "Prinkipo"), "claim_sources"] == "s-trial"


def test_notes_say_what_was_compared(case):
    got = whereabouts_conflicts(case).set_index(["claim_id", "stay_place"])["notes"]
    assert got[("inside", "Copenhagen")] == ("the claim's days 1932-11-25 to 1932-11-25 lie within the days the "
                                             "person was surely there, 1932-11-20 to 1932-12-05")
    assert "open end counts as unbounded" in got[("mx-late", "Mexico")]
    assert "no day on which the person was surely there" in got[("paris", "Paris")]


def test_joined_conflict_region_and_qualifier_notes(case):
    got = whereabouts_conflicts(case)
    joined = got[(got["claim_id"] == "romm") & (got["status"] == "conflict")].iloc[0]
    assert (joined["stay_start"], joined["stay_end"]) == ("1933-07-17", "1933-10-09")
    assert joined["stay_source_id"] == "s-memoir;s-passport"
    assert joined["notes"].startswith("no single stay covers the claim's days 1933-07-21 to 1933-07-31, but these 2")
    kjeller = got[got["claim_id"] == "kjeller"].iloc[0]
    assert kjeller["notes"].endswith("both places are in Norway: not far enough apart to rule the meeting out")
    meran = got[got["claim_id"] == "meran"].iloc[0]
    assert "1933-10-05~ is approximate or uncertain" in meran["notes"]


def test_a_gap_between_stays_is_no_joined_conflict(tmp_path):
    files = dict(FILES)
    files["whereabouts.csv"] = FILES["whereabouts.csv"].replace(
        "rakovsky,\"Cassis, France\",1933-07-24,s-passport,1933-07-24\n", "")
    files["whereabouts.csv"] = files["whereabouts.csv"].replace(
        "Saint-Palais near Royan, France\",1933-07-25", "Saint-Palais near Royan, France\",1933-07-26")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got = whereabouts_conflicts(load_case(tmp_path))
    romm = got[got["claim_id"] == "romm"]
    assert list(romm["status"]) == ["possible", "possible"]  # the 25th is not covered


def test_all_columns_are_text_and_output_is_deterministic(case):
    a, b = whereabouts_conflicts(case), whereabouts_conflicts(case)
    pd.testing.assert_frame_equal(a, b)
    assert all(str(t) in ("str", "object") for t in a.dtypes)


def test_no_claims_gives_empty_frame_with_columns(tmp_path):
    files = {k: v for k, v in FILES.items() if k != "whereabouts.csv"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got = whereabouts_conflicts(load_case(tmp_path))
    assert got.empty and list(got.columns) == list(CONFLICT_COLUMNS)


def test_same_region():
    assert same_region("near Oslo (Kjeller airfield), Norway", "Wexhall, Norderhov near Hønefoss, Norway") == "Norway"
    assert same_region("Hotel Bristol, Copenhagen, Denmark", "Journey from Istanbul to Denmark") == "Denmark"
    assert same_region("Bois de Boulogne, Paris", "Saint-Palais near Royan, France") == ""
    assert same_region("Berlin", "Paris") == ""


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Berlin", "berlin ", True),
    ("Copenhagen", "Hotel Bristol, Copenhagen", True),
    ("the market town", "at his brother's in the market town", True),
    ("Oslo", "Norway (Wexhall, near Hønefoss)", False),
    ("Berlin", "Berliner Hof", False),  # whole words only
    ("", "Berlin", False),
])
def test_same_place_compares_text_only(a, b, same):
    assert same_place(a, b) is same


def test_timeline_gaps_by_hand(case):
    got = timeline(case)
    # only claims with an event date; one row per evidence link
    assert list(got["testimony_id"]) == ["t-holtzman", "t-doubt", "t-holtzman-memo", "t-holtzman", "t-spring"]
    assert list(got["claim_id"]) == ["inside", "inside", "inside", "edge", "spring"]
    row = got.iloc[0]  # event 1932-11-25, given 1936-08-20: 1364 days
    assert (row["gap_days_min"], row["gap_days_max"]) == (1364, 1364)
    row = got.iloc[1]  # given in 1936-09 (Sep 1..30): 1376 to 1405 days
    assert (row["gap_days_min"], row["gap_days_max"]) == (1376, 1405)
    row = got.iloc[3]  # event in 1932-12 (Dec 1..31), given 1936-08-20: 1328 to 1358 days
    assert (row["gap_days_min"], row["gap_days_max"]) == (1328, 1358)
    row = got.iloc[4]  # event 1933-03 (Mar 1..31), given 1937-01-25: 1396 to 1426 days
    assert (row["gap_days_min"], row["gap_days_max"]) == (1396, 1426)
    assert str(got["gap_days_min"].dtype) == "Int64"


def test_timeline_open_bounds_give_missing_gaps(tmp_path):
    files = dict(FILES)
    files["evidence.csv"] = "testimony_id,claim_id,stance\nt-holtzman,open,supports\n"
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got = timeline(load_case(tmp_path))
    assert pd.isna(got.at[0, "gap_days_min"])  # the event's latest day is open
    assert got.at[0, "gap_days_max"] == (pd.Timestamp("1936-08-20") - pd.Timestamp("1932-11-22")).days


def test_plot_timeline_is_labelled(case):
    ax = plot_timeline(timeline(case))
    assert ax.get_title() and ax.get_xlabel() == "Date" and ax.get_ylabel()
    assert len(ax.get_yticklabels()) == 5
    assert len(ax.figure.legends[0].get_texts()) == 5  # below the plot, in the figure
    right = [a for a in ax.child_axes if a.get_ylabel()][0]  # the claims, on the right
    assert [t.get_text() for t in right.get_yticklabels()] == ["inside", "edge", "spring"]
    matplotlib.pyplot.close(ax.figure)


def test_plot_timeline_on_given_axes_and_empty_frame(case):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_timeline(timeline(case).iloc[:0], ax=ax) is ax
    assert ax.get_legend() is not None  # on the caller's axes, the legend stays inside them
    plt.close(fig)


def test_template_case():
    case = load_case(Path(__file__).resolve().parents[1] / "workbook" / "template_case")
    got = whereabouts_conflicts(case)
    # the fire (in the village) falls in the miller's stay in the market town; the market meeting does not
    assert list(got["claim_id"]) == ["fire"] and list(got["status"]) == ["conflict"]
