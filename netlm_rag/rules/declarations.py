"""The language criteria sets are declared in: options and effects, Source, the Leaf/AllOf/AnyOf tests, Criterion,
CriteriaSet, and the shorthand (L, c, cset, shared tests) the sets_*.py modules are written with. Nothing computes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

OPTIONS = ("resection", "debulking", "liver_transplant", "ablation", "transarterial_embolization",
           "radioembolization", "prrt", "somatostatin_analogue", "chemotherapy")
REQ, EXC, SUP, CLS, ACT = "requires", "excludes", "supports", "classifies", "action"
CI, CA = "contraindicated", "caution"   # what going against a criterion means for its options
MIDGUT = ("small_bowel", "appendix", "colon_proximal", "midgut")   # jejunoileal + proximal colon (001:141)
DOCS = {  # short file id -> (doc_id, raw file, review)
    "000": ("la-salvia-2016", "000_01dc37210d749153.txt", "La Salvia 2016"),
    "001": ("gangi-2020", "001_a3724238ae1ebcdd.txt", "Gangi 2020"),
    "002": ("macedo-2013", "002_3bbd6a936a715321.txt", "Macedo 2013"),
    "003": ("dermine-2019", "003_30fc1aeda132754b.txt", "Dermine 2019"),
    "004": ("cloyd-2020", "004_c04c27215b2fa3eb.txt", "Cloyd 2020"),
}


@dataclass(frozen=True, slots=True)
class Source:
    """A verbatim quote: `quote` is a substring of line `line` (1-based) of corpus/raw/<file> (tested)."""

    doc_id: str
    file: str
    line: int
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "file": self.file, "line": self.line, "quote": self.quote}

    def cite(self) -> str:
        review = next(r for d, _, r in DOCS.values() if d == self.doc_id)
        return f"{review}, {self.file[:3]}:{self.line}"


@dataclass(frozen=True, slots=True)
class Leaf:
    field: str
    op: str            # < <= > >= between == in known always
    threshold: Any = None


@dataclass(frozen=True, slots=True)
class AllOf:
    conds: tuple["Cond", ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conds: tuple["Cond", ...]


Cond = Union[Leaf, AllOf, AnyOf]


def leaves(c: Cond) -> tuple[Leaf, ...]:
    return (c,) if isinstance(c, Leaf) else tuple(x for sub in c.conds for x in leaves(sub))


@dataclass(frozen=True, slots=True)
class Criterion:
    """One stated criterion. `effect` says how its verdict bears on `options`; `topic` groups the versions of the
    same requirement across sets, so that a patient between two thresholds is reported as a conflict."""

    id: str
    text: str
    test: Cond
    topic: str
    effect: str
    severity: str
    options: tuple[str, ...]
    source: Source
    set_id: str = ""
    essential: bool = True   # unknown -> the option cannot be judged (insufficient data)
    shown: str = ""          # threshold as shown, when the test alone would mislead

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(leaf.field for leaf in leaves(self.test) if leaf.op != "always"))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "set": self.set_id, "topic": self.topic, "effect": self.effect,
                "severity": self.severity, "options": list(self.options), "fields": list(self.fields),
                "essential": self.essential, "source": self.source.to_dict()}


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    id: str
    name: str
    version: str
    doc_id: str
    review: str
    year: int
    where: str                      # "000:69": file id and line(s) where the set is stated
    criteria: tuple[Criterion, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "version": self.version, "source": {
            "doc_id": self.doc_id, "review": self.review, "year": self.year, "where": self.where},
            "criteria": [c.to_dict() for c in self.criteria]}


def L(name: str, op: str, threshold: Any = None) -> Leaf:
    """A leaf test, `name op threshold`."""
    return Leaf(name, op, threshold)


def c(cid: str, text: str, test: Cond, topic: str, effect: str, line: int, quote: str, *, sev: str | None = None,
      opts: tuple[str, ...] | None = None, essential: bool | None = None, shown: str = "") -> dict[str, Any]:
    """One criterion row of a set, cited by line of the set's file; what is left None is filled in by cset."""
    return dict(id=cid, text=text, test=test, topic=topic, effect=effect, severity=sev, line=line, quote=quote,
                opts=opts, essential=essential, shown=shown)


def cset(sid: str, name: str, version: str, fid: str, where: str, opts: tuple[str, ...], *rows: dict) -> CriteriaSet:
    """A set from its rows: options default to the set's; a requirement or exclusion contraindicates (and is
    essential) unless its row says otherwise."""
    doc_id, file, review = DOCS[fid]
    out = []
    for r in rows:
        essential = r["essential"] if r["essential"] is not None else (
            (r["severity"] or CI) == CI and r["effect"] in (REQ, EXC))
        severity = r["severity"] or (CI if r["effect"] in (REQ, EXC) else "")   # only requirements have one
        out.append(Criterion(r["id"], r["text"], r["test"], r["topic"], r["effect"], severity,
                             r["opts"] if r["opts"] is not None else opts, Source(doc_id, file, r["line"], r["quote"]),
                             sid, essential, r["shown"]))
    return CriteriaSet(sid, name, version, doc_id, review, int(review[-4:]), where, tuple(out))


# Shorthand shared by the sets_*.py modules: tests used in several areas, and option groups.
LOW_GRADE = L("grade", "in", ("G1", "G2"))   # "grade": the higher of the stated and the Ki-67 grade (001:45)
RES, DEB, LT, ABL = ("resection",), ("debulking",), ("liver_transplant",), ("ablation",)
TAE, TARE, IA = ("transarterial_embolization",), ("radioembolization",), (
    "transarterial_embolization", "radioembolization")
SURGERY = ("resection", "debulking", "liver_transplant")
PRRT, SSA, CHEMO = ("prrt",), ("somatostatin_analogue",), ("chemotherapy",)
SYNDROME = L("carcinoid_syndrome", "==", True)
