"""Find every spelling of a name or phrase in a case.

Names in a case come in many spellings: *Piatakov*, *Pyatakov*, *Pjatakow* and
*Пятаков* are one man; *Sokol'nikov*, *Sokol’nikov* and *Sokolnikov* one
spelling with and without the soft sign. :func:`find` looks for a text in the
people (names and aliases), sources, claims, hypotheses and testimonies of a
case and returns every place where it, or a spelling of it, is found:

- case, diacritics, apostrophes and the soft and hard signs are folded away
  (``Sokol'nikov`` = ``Sokolnikov``, ``Sédov`` = ``Sedov``);
- Cyrillic is transliterated in the common schemes (BGN/PCGN, Library of
  Congress, ISO 9 and the scholarly system, Wikipedia's English, ICAO, and the
  German Duden) with the ``iuliia`` library (and a small table for German), so
  ``Пятаков`` finds ``Pyatakov``, ``Piatakov`` and ``Pjatakow``, and a Latin
  spelling finds a Cyrillic one;
- the letters that transliteration schemes disagree on are folded too
  (``y``/``j``/``i``, ``w``/``v``, ``tz``/``c``/``ts``, ``š``/``sh``, ``č``/``ch``,
  ``x``/``kh``, a final ``-ff``/``-v``) and so is a possessive ``'s``;
- what is still different is scored with ``rapidfuzz`` (the normalised
  Indel similarity, 0 to 100), so ``Zinov'ev`` finds ``Zinoviev`` (93.3).

A pure function over the case's frames: nothing is displayed or written.

>>> import pandas as pd
>>> from types import SimpleNamespace
>>> people = pd.DataFrame({"person_id": ["piatakov"], "name": ["Georgii Piatakov"],
...                        "aliases": ["Pyatakov;Пятаков"], "role": [""], "notes": [""]})
>>> case = SimpleNamespace(people=people)
>>> print(find(case, "Пятаков").to_string(index=False))
 table       id   field    match  score
people piatakov aliases Pyatakov  100.0
people piatakov aliases  Пятаков  100.0
people piatakov    name Piatakov  100.0
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import iuliia
import pandas as pd
from rapidfuzz import fuzz, process

__all__ = ["FIELDS", "SearchIndex", "find", "fold", "search_index", "spellings", "variants"]

#: The fields searched, table by table, in the order results are sorted.
#: A field whose cells are ``;`` lists is searched item by item.
FIELDS: dict[str, tuple[str, ...]] = {
    "people": ("name", "aliases", "role", "notes"),
    "sources": ("title", "author", "held_by", "citation", "notes"),
    "claims": ("statement", "place", "notes"),
    "hypotheses": ("statement", "notes"),
    "testimonies": ("quote", "locator", "notes"),
}
_KEYS = {"people": "person_id", "sources": "source_id", "claims": "claim_id",
         "hypotheses": "hypothesis_id", "testimonies": "testimony_id"}
_LIST_FIELDS = {("people", "aliases"), ("sources", "author")}
COLUMNS = ["table", "id", "field", "match", "score"]

# Cyrillic transliteration schemes (iuliia) and the German one below.
_SCHEMES = (iuliia.BGN_PCGN, iuliia.ALA_LC, iuliia.SCIENTIFIC, iuliia.ISO_9_1968,
            iuliia.WIKIPEDIA, iuliia.ICAO_DOC_9303, iuliia.MVD_310_FR)
_GERMAN = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch",
    "з": "s", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z",
    "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "ju", "я": "ja", "і": "i", "ї": "ji", "є": "je", "ґ": "g", "ў": "u",
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_APOSTROPHES = "'’‘ʹʺʼ`´″\"ʻ"
_WORD = re.compile(r"[^\W_]+(?:[" + re.escape(_APOSTROPHES) + r"][^\W_]+)*")
_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe",
                          "ı": "i", "þ": "th", "ð": "d", "ь": "", "ъ": "",
                          # the scholarly and ISO 9 letters, spelled as in English
                          "č": "ch", "ĉ": "ch", "š": "sh", "ŝ": "shch", "ž": "zh", "ẑ": "zh",
                          "x": "kh", "û": "iu", "â": "ia", "ǎ": "ia", "ё": "e"})
_POSSESSIVE = re.compile(r"[" + re.escape(_APOSTROPHES) + r"]s$")
_STRIP = str.maketrans("", "", _APOSTROPHES)
# Letters that transliteration schemes spell differently, folded to one spelling
# (order matters: German "tsch" before "sch", then the single letters).
_SPELLING = ((re.compile(r"tsch"), "ch"), (re.compile(r"sch"), "sh"), (re.compile(r"tz"), "ts"),
             (re.compile(r"c(?!h)"), "ts"),
             (re.compile(r"[jy]"), "i"), (re.compile(r"w"), "v"), (re.compile(r"ff\b"), "v"),
             (re.compile(r"i{2,}"), "i"))


def _german(word: str) -> str:
    out = []
    for i, ch in enumerate(word):
        low = ch.lower()
        latin = _GERMAN.get(low, ch)
        if low == "е" and (i == 0 or word[i - 1].lower() in "аеёиоуыэюяьъ"):
            latin = "je"
        elif low == "в" and i == len(word) - 1:
            latin = "w"
        out.append(latin.capitalize() if ch != low and latin else latin)
    return "".join(out)


@lru_cache(maxsize=65536)
def variants(word: str) -> tuple[str, ...]:
    """The folded spellings of one word: one for a Latin word, one per scheme for a Cyrillic one.

    >>> variants("Sokol'nikov")
    ('sokolnikov',)
    >>> variants("Сокольников")
    ('sokolnikov',)
    >>> variants("Хрущёв")
    ('chrushchiov', 'hrushchev', 'khrouchtchev', 'khrushchev', 'khrushchiov')
    """
    if not _CYRILLIC.search(word):
        return (fold(word),)
    plain = word.replace("ё", "е").replace("Ё", "Е")
    latin = {scheme.translate(plain) for scheme in _SCHEMES}
    latin |= {scheme.translate(word) for scheme in (iuliia.WIKIPEDIA, iuliia.BGN_PCGN)}
    latin.add(_german(word))
    return tuple(sorted({fold(w) for w in latin} - {""}))


def fold(text: str) -> str:
    """Fold case, diacritics, apostrophes, soft signs and transliteration variants.

    >>> [fold(w) for w in ["Sokol’nikov", "Pyatakov", "Pjatakow", "Piatakoff", "Trotzki", "Trotskiy", "Sédov"]]
    ['sokolnikov', 'piatakov', 'piatakov', 'piatakov', 'trotski', 'trotski', 'sedov']
    """
    text = unicodedata.normalize("NFKD", _POSSESSIVE.sub("", text.casefold()).translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_STRIP)
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class _Text:
    table: str
    id: str
    field: str
    value: str
    spans: tuple[tuple[int, int], ...]        # each word's place in value
    forms: tuple[tuple[str, ...], ...]        # each word's folded spellings


@dataclass
class SearchIndex:
    """The case's searchable text, cut into words and folded once (see :func:`search_index`)."""

    texts: list[_Text] = field(default_factory=list)
    words: list[str] = field(default_factory=list)           # every distinct folded word
    _windows: dict = field(default_factory=dict, repr=False)  # k -> (strings, owners)

    def windows(self, k: int) -> tuple[list[str], list[list[tuple[int, int]]]]:
        """Every distinct run of ``k`` consecutive folded words, with where each occurs (text, first word)."""
        if k not in self._windows:
            where: dict[str, list[tuple[int, int]]] = {}
            for t, text in enumerate(self.texts):
                for start in range(len(text.forms) - k + 1):
                    for form in set(_combinations(text.forms[start:start + k])):
                        where.setdefault(form, []).append((t, start))
            strings = sorted(where)
            self._windows[k] = (strings, [where[s] for s in strings])
        return self._windows[k]


def _combinations(run: tuple[tuple[str, ...], ...]) -> list[str]:
    combos = [""]
    for forms in run:
        combos = [f"{c} {f}" if c else f for c in combos for f in forms][:64]
    return combos


def _cells(frame: pd.DataFrame, table: str) -> list[tuple[str, str, str]]:
    key = _KEYS[table]
    out = []
    if frame is None or key not in frame.columns:
        return out
    for name in FIELDS[table]:
        if name not in frame.columns:
            continue
        for ident, value in zip(frame[key].astype(str), frame[name]):
            if not isinstance(value, str) or not value:
                continue
            if (table, name) in _LIST_FIELDS:
                out.extend((ident, name, item.strip()) for item in value.split(";") if item.strip())
            else:
                out.append((ident, name, value))
    return out


def search_index(case) -> SearchIndex:
    """Cut the case's searchable fields (:data:`FIELDS`) into folded words, once.

    Pass the result to :func:`find` as ``index=`` to search the same case many times
    (the search box does).
    """
    index = SearchIndex()
    for table in FIELDS:
        frame = getattr(case, table, None)
        for ident, name, value in _cells(frame, table):
            matches = list(_WORD.finditer(value))
            if not matches:
                continue
            index.texts.append(_Text(table, ident, name, value,
                                     tuple(m.span() for m in matches),
                                     tuple(variants(m.group()) for m in matches)))
    return index


def _query_forms(text: str) -> tuple[int, list[str]]:
    words = [m.group() for m in _WORD.finditer(text)]
    return len(words), (_combinations(tuple(variants(w) for w in words)) if words else [])


def find(case, text: str, *, min_score: float = 85.0, index: SearchIndex | None = None) -> pd.DataFrame:
    """Every place in ``case`` where ``text`` or a spelling of it is found.

    Returns one row per table, id, field and spelling found, with the columns
    ``table``, ``id``, ``field``, ``match`` (the words as written in the case) and
    ``score`` (100 = the same after folding; ``min_score`` and up are kept).
    Sorted by score (highest first), then table (in :data:`FIELDS` order), id,
    field and match. An empty or wordless ``text`` gives an empty frame.
    """
    k, queries = _query_forms(text)
    if not queries:
        return pd.DataFrame(columns=COLUMNS)
    index = index if index is not None else search_index(case)
    if not index.texts:
        return pd.DataFrame(columns=COLUMNS)
    strings, owners = index.windows(k)
    best: dict[tuple[int, int], float] = {}
    for query in queries:
        hits = process.extract(query, strings, scorer=fuzz.ratio, score_cutoff=min_score, limit=None)
        for _, score, position in hits:
            for owner in owners[position]:
                if score > best.get(owner, -1.0):
                    best[owner] = score
    # In a text, keep the best runs that do not overlap (a multi-word query's neighbours)
    chosen: dict[int, list[tuple[int, float]]] = {}
    for (t, start), score in sorted(best.items(), key=lambda kv: (-kv[1], kv[0])):
        taken = chosen.setdefault(t, [])
        if all(abs(start - other) >= k for other, _ in taken):
            taken.append((start, score))
    rows: dict[tuple[str, str, str, str], float] = {}
    for t, found in chosen.items():
        item = index.texts[t]
        for start, score in found:
            begin, end = item.spans[start][0], item.spans[start + k - 1][1]
            key = (item.table, item.id, item.field, item.value[begin:end])
            rows[key] = max(rows.get(key, 0.0), round(float(score), 1))
    order = {name: i for i, name in enumerate(FIELDS)}
    ranked = sorted(rows.items(), key=lambda kv: (-kv[1], order[kv[0][0]], kv[0][1], kv[0][2], kv[0][3]))
    return pd.DataFrame([(*key, score) for key, score in ranked], columns=COLUMNS)


def spellings(found: pd.DataFrame) -> pd.DataFrame:
    """The distinct spellings in a :func:`find` result, with how often each was found.

    Columns ``match``, ``places`` and ``score``, most frequent first.
    """
    if found.empty:
        return pd.DataFrame(columns=["match", "places", "score"])
    out = (found.groupby("match", sort=True)
           .agg(places=("id", "size"), score=("score", "max")).reset_index())
    return out.sort_values(["places", "score", "match"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)
