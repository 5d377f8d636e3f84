"""Finding every spelling: transliteration variants in Latin and Cyrillic, folded apostrophes and soft signs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from workbook.case.loading import load_case
from workbook.judgement.find import find, fold, search_index, spellings, variants

MOSCOW = Path(__file__).parents[1] / "data" / "moscow-trials"


def people(*rows):
    frame = pd.DataFrame(rows, columns=["person_id", "name", "aliases", "role", "notes"]).fillna("")
    return SimpleNamespace(people=frame)


@pytest.fixture(scope="module")
def moscow():
    case = load_case(MOSCOW)
    return case, search_index(case)


@pytest.mark.parametrize("spelling", ["Pyatakov", "Piatakov", "Pjatakov", "Pjatakow", "Piatakoff", "PYATAKOV",
                                      "Пятаков", "пятаков"])
def test_every_spelling_folds_to_one(spelling):
    assert set(variants(spelling)) == {"piatakov"}


def test_soft_signs_apostrophes_and_diacritics():
    assert {fold(w) for w in ["Sokol'nikov", "Sokol’nikov", "Sokolʹnikov", "Sokolnikov", "SOKOLNIKOV"]} == {"sokolnikov"}
    assert variants("Сокольников") == ("sokolnikov",)
    assert fold("Sédov") == fold("Sedov") == "sedov"
    assert fold("Radek’s") == fold("Radek's") == "radek"
    assert fold("Vyšinskij") == fold("Vyshinsky") == "vishinski"   # scholarly š and ij
    assert fold("Trockij") == fold("Trotzki") == fold("Trotskiy") == "trotski"


def test_cyrillic_finds_latin_and_latin_finds_cyrillic():
    case = people(("piatakov", "Georgii Piatakov", "Pyatakov;Pjatakow;Пятаков", "", ""),
                  ("radek", "Karl Radek", "", "", "Not Piatakov."))
    found = find(case, "Пятаков")
    assert found.to_dict("records") == [
        {"table": "people", "id": "piatakov", "field": "aliases", "match": "Pjatakow", "score": 100.0},
        {"table": "people", "id": "piatakov", "field": "aliases", "match": "Pyatakov", "score": 100.0},
        {"table": "people", "id": "piatakov", "field": "aliases", "match": "Пятаков", "score": 100.0},
        {"table": "people", "id": "piatakov", "field": "name", "match": "Piatakov", "score": 100.0},
        {"table": "people", "id": "radek", "field": "notes", "match": "Piatakov", "score": 100.0}]
    assert find(case, "Pyatakov").equals(found)
    assert find(case, "Radek").to_dict("records") == [
        {"table": "people", "id": "radek", "field": "name", "match": "Radek", "score": 100.0}]


def test_fuzzy_spellings_are_scored():
    case = people(("zinoviev", "Grigorii Zinov'ev", "Zinoviev;Sinowjew;Зиновьев", "", ""))
    found = find(case, "Zinoviev")
    assert found[["match", "score"]].values.tolist() == [
        ["Zinoviev", 100.0], ["Зиновьев", 100.0], ["Zinov'ev", 93.3], ["Sinowjew", 87.5]]
    assert find(case, "Zinoviev", min_score=95)["match"].tolist() == ["Zinoviev", "Зиновьев"]


def test_phrases_and_empty_queries():
    case = people(("holtzman", "E. S. Holtzman", "", "", "Met Sedov at the Hotel Bristol, Copenhagen."))
    assert find(case, "hotel bristol").to_dict("records") == [
        {"table": "people", "id": "holtzman", "field": "notes", "match": "Hotel Bristol", "score": 100.0}]
    assert find(case, "").empty and list(find(case, "  ; ").columns) == ["table", "id", "field", "match", "score"]
    assert find(case, "Xylophone").empty


def test_the_bundled_case(moscow):
    case, index = moscow
    found = find(case, "Пятаков", index=index)
    assert set(spellings(found)["match"]) >= {"Pyatakov", "Piatakov", "Pjatakov", "Pjatakow", "Piatakoff",
                                              "Pyatakoff", "Пятаков"}
    assert {"people", "sources", "testimonies"} <= set(found["table"])
    assert found.equals(find(case, "Pjatakow", index=index))
    assert found.equals(find(case, "Piatakov"))                      # with or without a prepared index
    # sorted: score, then table in the order people, sources, claims, hypotheses, testimonies, then id
    order = {"people": 0, "sources": 1, "claims": 2, "hypotheses": 3, "testimonies": 4}
    keys = [(-s, order[t], i, f, m) for s, t, i, f, m in found[["score", "table", "id", "field", "match"]].values]
    assert keys == sorted(keys)
    sokolnikov = spellings(find(case, "Сокольников", index=index))
    assert set(sokolnikov["match"]) >= {"Sokol'nikov", "Sokol’nikov", "Sokolnikov", "Сокольников"}


@pytest.mark.parametrize("cyrillic, latin", [("Троцкий", "Trotsky"), ("Зиновьев", "Zinoviev"),
                                             ("Хрущёв", "Khrushchev"), ("Ежов", "Yezhov"),
                                             ("Вышинский", "Vyshinsky"), ("Розенгольц", "Rosengoltz")])
def test_every_person_is_found_from_russian(moscow, cyrillic, latin):
    case, index = moscow
    found = find(case, cyrillic, index=index)
    assert latin in set(found["match"])
    assert (found["table"] == "people").any()


def test_search_box_in_the_scoring_panel(moscow, tmp_path):
    import workbook

    case, _ = moscow
    panel = workbook.scoring_panel(case, "tester", tmp_path)
    box = panel.search
    assert box.results.value == "" and box.index is None             # nothing built until the first search
    box.text.value = "Пятаков"
    assert box.results.value.startswith(f"<p>{len(box.found)} places for <b>Пятаков</b>; spellings found: ")
    assert "<td>person</td><td>piatakov</td><td>aliases</td><td>Pyatakov</td><td>100</td>" in box.results.value
    found = [i for i in box.show.options if i[1]]
    assert found and not box.show.disabled
    target = found[-1][1]
    box.show.value = target
    assert panel.current_id == target
    box.text.value = "<img src=x onerror=alert(1)>"
    assert box.results.value == "<p>Nothing found for <b>&lt;img src=x onerror=alert(1)&gt;</b> in any spelling.</p>"
    assert box.show.disabled


SOVIET = ["trotsky", "sedov", "piatakov", "radek", "sokolnikov", "shestov", "romm", "krestinsky", "rozengolts",
          "bessonov", "rakovsky", "vyshinskii", "zinoviev", "kamenev", "olberg", "smirnov", "holtzman", "lurie",
          "karev", "safonova", "putna", "naida", "stalin", "yezhov", "beria", "frinovsky", "khrushchev", "zborowski",
          "nicolaevsky", "tsarev", "naumov"]


def test_russian_names_of_the_bundled_case_carry_their_cyrillic_spelling(moscow):
    case, index = moscow
    people = case.people.set_index("person_id")
    for person in SOVIET:
        aliases = people.loc[person, "aliases"].split(";")
        assert any(any("\u0400" <= ch <= "\u04ff" for ch in alias) for alias in aliases), person
    found = find(case, "Карев", index=index)
    assert ("people", "karev", "name", "Karev") in set(map(tuple, found[["table", "id", "field", "match"]].values))
