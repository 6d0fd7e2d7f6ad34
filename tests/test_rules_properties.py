"""Properties: the parser and the engine never raise on any text, and a missing fact is never read as met."""
from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netlm_rag.rules import CRITERIA, PatientFacts, check, facts_from_dict, parse_facts
from netlm_rag.rules.criteria import AllOf, leaves
from netlm_rag.rules.engine import Verdict, evaluate, evaluate_criterion, option_verdicts, evaluate_all
from netlm_rag.rules.facts import SPEC

FRAGMENTS = [
    "62 y", "48F", "a 70-year-old man", "G2", "grade 3", "ileal NET", "pancreatic primary", "Ki-67 8 %", "Ki67 of 150%",
    "MIB-1 <2%", "60 % liver involvement", "liver replacement ~75%", "no extrahepatic disease", "bone metastases",
    "main portal vein thrombosis", "without PVT", "bilirubin 3.1 mg/dL", "bilirubin 45 µmol/L", "bilirubin 2", "FLR 35%",
    "7 cm lesion", "three metastases", ">10 lesions", "Ga-68 DOTATATE negative", "DOTATATE-avid", "previous Whipple",
    "hepaticojejunostomy", "stable for 8 months", "primary resected 14 months ago", "progressive on octreotide",
    "possible", "no", "not", "?", ",", ".", ";", "and", "transplant?", "patients", "criteria", "5-10%", "x", "-", "%",
]
vignettes = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=14).map(" ".join)
any_text = st.one_of(st.text(max_size=400), vignettes, st.from_regex(r"[0-9%<>.,\- a-zA-Z]{0,80}", fullmatch=True))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value_strategy(name: str):
    spec = SPEC[name]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    numbers = st.integers(int(spec.lo), int(spec.hi)) if spec.kind == "int" else st.floats(spec.lo, spec.hi)
    if spec.kind == "int":
        return numbers
    qualified = st.tuples(st.sampled_from(["<", "<=", ">", ">="]), st.integers(int(spec.lo), int(spec.hi))).map(
        lambda t: f"{t[0]}{t[1]}")
    return st.one_of(numbers, qualified)


fact_dicts = st.dictionaries(st.sampled_from(sorted(SPEC)), st.none(), max_size=12).flatmap(
    lambda d: st.fixed_dictionaries({k: _value_strategy(k) for k in d}))

# The stated facts each criterion field depends on (derived readings included).
SOURCES = {"grade": {"grade", "ki67_pct", "differentiation"}, "grade_concordant": {"grade", "ki67_pct"},
           "stable_disease_months": {"stable_disease_months", "progressive"},
           "portal_drainage": {"portal_drainage", "primary_site"}}


def _missing(field: str, facts: PatientFacts) -> bool:
    return all(facts.get(f) is None for f in SOURCES.get(field, {field}))


@FAST
@given(any_text)
def test_parser_never_raises_and_keeps_honest_spans(text):
    parsed = parse_facts(text)
    for name in parsed.facts.present():
        fact = parsed.facts.get(name)
        assert fact.span is not None and text[fact.span.start:fact.span.end] == fact.span.text
        spec = SPEC[name]
        if spec.kind in ("int", "float"):
            assert spec.lo <= float(fact.value) <= spec.hi and math.isfinite(float(fact.value))
        elif spec.kind == "enum":
            assert fact.value in spec.choices
    for bad in parsed.invalid:
        assert parsed.facts.get(bad.field) is None or bad.reason      # reported, never silently used


@FAST
@given(any_text, any_text)
def test_check_never_raises_on_any_text(text, answer):
    report = check(text=text, answer=answer)
    d = report.to_dict()
    json.dumps(d)
    assert len(d["options"]) == 9
    assert report.has_facts == bool(d["facts"])
    assert all(c["status"] in ("consistent", "contradicts") for c in d["answer_check"])
    report.summary()


@FAST
@given(fact_dicts)
def test_a_missing_fact_is_never_met(d):
    facts = facts_from_dict(d).facts
    for cr in CRITERIA.values():
        result = evaluate_criterion(cr, facts)
        fields = cr.fields
        if fields and all(_missing(f, facts) for f in fields):
            assert result.verdict is Verdict.UNKNOWN, cr.id
            assert result.value is None
        for leaf in leaves(cr.test):
            if leaf.op != "always" and _missing(leaf.field, facts):
                assert evaluate(leaf, facts) is Verdict.UNKNOWN
                if isinstance(cr.test, AllOf):
                    assert result.verdict is not Verdict.MET, cr.id


@FAST
@given(fact_dicts)
def test_eligible_only_when_every_essential_fact_is_known(d):
    facts = facts_from_dict(d).facts
    for option in option_verdicts(evaluate_all(facts)):
        if option.verdict == "eligible":
            essential = [cr for cr in CRITERIA.values() if option.option in cr.options and cr.essential]
            unknown_topics = {cr.topic for cr in essential if evaluate_criterion(cr, facts).verdict is Verdict.UNKNOWN}
            known_topics = {cr.topic for cr in essential if evaluate_criterion(cr, facts).verdict is not Verdict.UNKNOWN}
            assert not unknown_topics - known_topics, (option.option, unknown_topics)


def test_no_facts_every_criterion_unknown():
    facts = PatientFacts()
    for cr in CRITERIA.values():
        expected = Verdict.MET if not cr.fields else Verdict.UNKNOWN      # LT-STATUS is a standing statement
        assert evaluate_criterion(cr, facts).verdict is expected
    assert {o.verdict for o in option_verdicts(evaluate_all(facts))} == {"insufficient_data"}


@FAST
@given(st.sampled_from(["<", "<=", ">", ">=", "range"]), st.floats(0, 100).map(lambda x: round(x, 2)),
       st.floats(0, 100).map(lambda x: round(x, 2)), st.floats(0, 1))
def test_a_qualified_value_decides_only_what_every_value_it_allows_decides(op, a, b, t):
    """ "Ki-67 <5 %" must give met/not_met only if every Ki-67 below 5 would; otherwise unknown."""
    if op == "range":
        lo, hi = sorted((a, b))
        qualified, points = f"{lo}-{hi}", [lo, hi, lo + (hi - lo) * t]
    else:
        qualified = f"{op}{a}"
        lo, hi = (0.0, a) if op.startswith("<") else (a, 100.0)
        edge = {"<": [a * (1 - 1e-9) if a else None], "<=": [a], ">": [min(100.0, a + 1e-9)], ">=": [a]}[op]
        points = [p for p in edge + [lo + (hi - lo) * t] if p is not None and lo <= p <= hi
                  and not (op == "<" and p >= a) and not (op == ">" and p <= a)]
    parsed = facts_from_dict({"ki67_pct": qualified})
    assert not parsed.invalid, parsed.invalid
    fuzzy = parsed.facts
    for cid in ("GR-G1", "GR-G2", "GR-G3", "LT-LS-KI67", "LT-GA-KI67", "RES-CL-KI55", "CH-CL-PLATINUM"):
        verdict = evaluate_criterion(CRITERIA[cid], fuzzy).verdict
        if verdict is not Verdict.UNKNOWN:
            for p in points:
                assert evaluate_criterion(CRITERIA[cid], PatientFacts.of(ki67_pct=p)).verdict is verdict, (cid, p)


def test_pathological_inputs_stay_fast():
    """Regexes are anchored/possessive so long digit runs or repeated words cannot backtrack quadratically. The
    bound is a hang guard, not a speed target: each input takes milliseconds, quadratic backtracking minutes."""
    import time
    for s in ["1" * 20000, "RFA " + "1" * 20000 + " cm", "Ki-67 " + "1." * 10000, "no " * 6000 + "PVT",
              "3 " * 8000 + "lesions", "2 x " * 5000 + "cm", "stable for " + "1" * 20000]:
        t = time.perf_counter()
        check(text=s, answer=s)
        assert time.perf_counter() - t < 30.0, s[:20]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                        max_size=3), max_leaves=6)


@FAST
@given(st.dictionaries(st.one_of(st.sampled_from(sorted(SPEC)), st.text(max_size=10)), json_values, max_size=8))
def test_form_facts_never_raise_and_invalid_values_are_not_used(d):
    report = check(facts=d)
    for bad in report.invalid:
        assert bad.reason
    for name in report.facts.present():
        spec = SPEC[name]
        value = report.facts.get(name).value
        if spec.kind in ("int", "float"):
            assert spec.lo <= float(value) <= spec.hi
