"""The case data contract, as data.

Everything the loader checks and everything ``describe`` writes comes from the
tables below, so the contract lives in one place.  The column names are public:
add columns, never rename them (see ``shared/data-contract.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SLUG_PATTERN",
    "Column",
    "Table",
    "TABLES",
    "REQUIRED_TABLES",
    "VOCABULARIES",
    "CONTENT_SHAPING_ACTIONS",
    "ASSESSMENT_SETTINGS",
    "SCORE_COLUMNS",
    "ACH_COLUMNS",
    "ACH_RATINGS",
]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "sources.kind": (
        "interrogation_record", "trial_transcript", "indictment", "draft", "letter",
        "memoir", "diary", "interview", "official_report", "archival_summary",
        "newspaper", "scholarly_work", "translation", "other",
    ),
    "sources.access": ("published", "declassified", "restricted", "lost", "unknown"),
    "testimonies.setting": (
        "pretrial_interrogation", "open_court", "written_statement", "private_letter",
        "memoir", "interview", "official_finding", "scholarly_assessment", "hearing", "other",
    ),
    "testimonies.quote_kind": ("verbatim", "paraphrase", "reconstruction"),
    "testimonies.statement_kind": ("testimony", "assessment"),
    "testimonies.basis": ("participant", "eyewitness", "hearsay", "documentary", "inference", "unknown"),
    "testimonies.conditions": (
        "free", "in_exile", "in_custody", "under_interrogation", "on_trial", "sentenced",
        "retracted_later", "reaffirmed_later", "verdict_annulled",
    ),
    "evidence.stance": ("supports", "contradicts", "qualifies"),
    "custody.action": (
        "created", "recorded", "edited", "redacted", "translated", "copied", "summarized",
        "quoted", "published", "archived", "declassified", "lost", "destroyed", "sent", "received",
    ),
    "custody.attested": ("stated", "inferred"),
}

#: ``setting`` words that make a row an assessment (a judgement about the evidence,
#: not testimony about the event) unless its ``statement_kind`` says otherwise.
ASSESSMENT_SETTINGS = ("scholarly_assessment", "official_finding")

#: Custody actions that can change what a document says (used for ``custodian`` ties).
CONTENT_SHAPING_ACTIONS = ("created", "recorded", "edited", "redacted", "summarized", "translated")

#: Columns of a rater's scores file, ``scores/<rater>.csv``.
SCORE_COLUMNS = ("rater", "testimony_id", "criterion", "value", "comment", "updated_at")
#: Columns of a rater's competing-hypotheses file, ``ach/<rater>.csv``.
ACH_COLUMNS = ("rater", "hypothesis_id", "testimony_id", "rating", "updated_at")
ACH_RATINGS = ("CC", "C", "N", "I", "II", "NA")


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``kind`` is one of ``id`` (a slug), ``text``, ``edtf``, ``integer``,
    ``number``, ``ref`` (one id of ``ref``), ``refs`` (a ``;`` list of ids of
    ``ref``), ``enum`` (one value of the vocabulary ``table.column``) or
    ``enums`` (a ``;`` list of such values).
    """

    name: str
    kind: str = "text"
    required: bool = False
    ref: str | None = None  # "table.column" for ref/refs
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    required: bool = False
    unique: tuple[str, ...] = field(default=())  # a compound key that must not repeat

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = Column
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            "A document as it exists or existed: an interrogation record, a trial report, "
            "a draft, a letter, a memoir, a translation, a scholarly work.",
            (
                C("source_id", "id", True, description="Short slug naming the source."),
                C("title", "text", True),
                C("kind", "enum", True),
                C("author"),
                C("created", "edtf", description="When the document was made (EDTF)."),
                C("language"),
                C("held_by"),
                C("access", "enum"),
                C("derived_from", "refs", ref="sources.source_id",
                  description="Sources this one was made from (a ; list)."),
                C("citation"),
                C("url"),
                C("notes"),
            ),
            primary_key=("source_id",),
            required=True,
        ),
        Table(
            "people",
            "Speakers, authors and custodians who are persons.",
            (
                C("person_id", "id", True),
                C("name", "text", True),
                C("aliases", description="Transliteration variants (a ; list)."),
                C("role"),
                C("notes"),
            ),
            primary_key=("person_id",),
        ),
        Table(
            "claims",
            "A proposition that the evidence is weighed for; claims form a tree.",
            (
                C("claim_id", "id", True),
                C("statement", "text", True),
                C("parent_id", "ref", ref="claims.claim_id"),
                C("event_date", "edtf"),
                C("place"),
                C("people", "refs", ref="people.person_id",
                  description="Who the claim says was there (a ; list)."),
                C("notes"),
            ),
            primary_key=("claim_id",),
            required=True,
        ),
        Table(
            "testimonies",
            "One statement as read in one source: who said it, when, where it is recorded, verbatim.",
            (
                C("testimony_id", "id", True),
                C("source_id", "ref", True, ref="sources.source_id"),
                C("given", "edtf", True, description="When the statement was made (EDTF)."),
                C("setting", "enum", True),
                C("quote", "text", True),
                C("speaker_id", "ref", ref="people.person_id"),
                C("locator", description="Page, volume: where in the source it is read."),
                C("basis", "enum"),
                C("conditions", "enums"),
                C("language"),
                C("notes"),
                C("quote_kind", "enum",
                  description="verbatim, paraphrase or reconstruction; empty = verbatim as far as known."),
                C("statement_kind", "enum",
                  description="testimony (about the event) or assessment (a judgement about the evidence); "
                              "empty = decided by the setting (scholarly_assessment, official_finding: assessment)."),
                C("quoted_from", "ref", ref="sources.source_id",
                  description="Where the source it is read in is a compilation: the source the words come from."),
                C("version_of", description="Versions of one statement share this value (a short label); "
                                            "empty = no other version."),
            ),
            primary_key=("testimony_id",),
            required=True,
        ),
        Table(
            "evidence",
            "Which testimony bears on which claim, and how.",
            (
                C("testimony_id", "ref", True, ref="testimonies.testimony_id"),
                C("claim_id", "ref", True, ref="claims.claim_id"),
                C("stance", "enum", True),
                C("note"),
            ),
            required=True,
            unique=("testimony_id", "claim_id"),
        ),
        Table(
            "custody",
            "The life of a source, step by step: who made, held, edited, redacted, "
            "translated, published or declassified it.",
            (
                C("source_id", "ref", True, ref="sources.source_id"),
                C("seq", "integer", True),
                C("custodian", "text", True),
                C("action", "enum", True),
                C("date", "edtf"),
                C("from_source_id", "ref", ref="sources.source_id"),
                C("notes"),
                C("attested", "enum",
                  description="stated (the sources state this step) or inferred (the case builder infers it); "
                              "empty = not known."),
            ),
            unique=("source_id", "seq"),
        ),
        Table(
            "hypotheses",
            "Competing explanations of the evidence on a claim.",
            (
                C("hypothesis_id", "id", True),
                C("claim_id", "ref", True, ref="claims.claim_id"),
                C("statement", "text", True),
                C("notes"),
            ),
            primary_key=("hypothesis_id",),
        ),
        Table(
            "whereabouts",
            "Documented locations of people, to check alleged meetings against.",
            (
                C("person_id", "ref", True, ref="people.person_id"),
                C("place", "text", True),
                C("start", "edtf", True),
                C("source_id", "ref", True, ref="sources.source_id"),
                C("end", "edtf"),
                C("notes"),
            ),
        ),
        Table(
            "rubric",
            "The scoring rubric; where a case has none, the package's default rubric is used.",
            (
                C("criterion", "id", True),
                C("label", "text", True),
                C("question", "text", True),
                C("min", "integer", True),
                C("max", "integer", True),
                C("weight", "number"),
                C("levels", description="A word for each level, lowest first (a ; list)."),
                C("help"),
            ),
            primary_key=("criterion",),
        ),
    )
}
del C

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)
