"""Parser accuracy: field-level precision, recall and accuracy of netlm_rag.rules.parse_facts over the hand-labelled
vignettes in eval/vignettes.jsonl; prints a Markdown table and writes bench/results/parser_accuracy.json.

A field counts as correct when the parsed value equals the gold value (numbers within 0.01; "<2", "5–10" as text);
a wrong value is both a false positive and a false negative. Fields expected to be reported as invalid (impossible,
hedged, unit missing) are scored separately. Scores are given for all vignettes and per split: "dev" vignettes were
used while writing the parser; "holdout" vignettes were written afterwards and not tuned on.
Run: .venv/bin/python bench/parser_accuracy.py"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netlm_rag.rules import parse_facts  # noqa: E402


def same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 0.01
    return str(a).replace("-", "–") == str(b).replace("-", "–")


def score(rows: list[dict]) -> dict:
    tp, fp, fn, agree = Counter(), Counter(), Counter(), Counter()
    inv = Counter()
    errors = []
    for row in rows:
        parsed = parse_facts(row["text"])
        got = {k: v["value"] for k, v in parsed.facts.to_dict().items()}
        gold = row["gold"]
        for field in set(got) | set(gold):
            ok = field in got and field in gold and same(got[field], gold[field])
            tp[field] += ok
            fp[field] += field in got and not ok
            fn[field] += field in gold and not ok
            if not ok:
                errors.append({"id": row["id"], "field": field, "gold": gold.get(field), "parsed": got.get(field)})
        invalid_got = {i.field for i in parsed.invalid}
        for field in set(row.get("invalid", [])) | invalid_got:
            hit = field in invalid_got and field in row.get("invalid", [])
            inv["tp" if hit else "fp" if field in invalid_got else "fn"] += 1
        inv["empty_ok"] += (not gold and not got)
        inv["empty_total"] += not gold
    fields = sorted(set(tp) | set(fp) | set(fn))
    n = len(rows)
    per_field = {}
    for f in fields:
        p = tp[f] / (tp[f] + fp[f]) if tp[f] + fp[f] else 1.0
        r = tp[f] / (tp[f] + fn[f]) if tp[f] + fn[f] else 1.0
        wrong = sum(1 for e in errors if e["field"] == f and e["id"])
        per_field[f] = {"precision": round(p, 3), "recall": round(r, 3), "accuracy": round(1 - wrong / n, 3),
                        "support": tp[f] + fn[f]}
    T, P, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    exact = sum(1 for row in rows if not any(e["id"] == row["id"] for e in errors))
    return {"vignettes": n, "fields": per_field,
            "micro": {"precision": round(T / (T + P), 3), "recall": round(T / (T + N), 3),
                      "f1": round(2 * T / (2 * T + P + N), 3), "gold_values": T + N},
            "vignette_exact_match": round(exact / n, 3),
            "invalid_detection": {"precision": round(inv["tp"] / max(1, inv["tp"] + inv["fp"]), 3),
                                  "recall": round(inv["tp"] / max(1, inv["tp"] + inv["fn"]), 3)},
            "non_clinical_yield_no_facts": f"{inv['empty_ok']}/{inv['empty_total']}",
            "errors": errors}


def markdown(result: dict) -> str:
    lines = ["| field | support | precision | recall | accuracy |", "|---|---:|---:|---:|---:|"]
    for f, m in result["fields"].items():
        lines.append(f"| {f} | {m['support']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['accuracy']:.3f} |")
    mi = result["micro"]
    lines.append(f"| **all fields (micro)** | {mi['gold_values']} | **{mi['precision']:.3f}** | **{mi['recall']:.3f}** | "
                 f"exact vignettes {result['vignette_exact_match']:.3f} |")
    inv = result["invalid_detection"]
    lines += ["", f"Vignettes: {result['vignettes']}; micro F1 {mi['f1']:.3f}; invalid values reported: precision "
                  f"{inv['precision']:.3f}, recall {inv['recall']:.3f}; plain questions with no facts: "
                  f"{result['non_clinical_yield_no_facts']}; errors: {len(result['errors'])}"]
    return "\n".join(lines)


def main() -> int:
    rows = [json.loads(line) for line in (ROOT / "eval" / "vignettes.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    t0 = time.perf_counter()
    result = score(rows)
    result["ms_per_vignette"] = round((time.perf_counter() - t0) * 1000 / len(rows), 2)
    result["splits"] = {}
    for split in sorted({r.get("split", "dev") for r in rows}):
        part = score([r for r in rows if r.get("split", "dev") == split])
        result["splits"][split] = {k: part[k] for k in ("vignettes", "micro", "vignette_exact_match",
                                                         "invalid_detection", "non_clinical_yield_no_facts")}
    out = ROOT / "bench" / "results" / "parser_accuracy.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(result))
    print("\n| split | vignettes | precision | recall | F1 | exact vignettes |\n|---|---:|---:|---:|---:|---:|")
    for split, part in result["splits"].items():
        mi = part["micro"]
        print(f"| {split} | {part['vignettes']} | {mi['precision']:.3f} | {mi['recall']:.3f} | {mi['f1']:.3f} | "
              f"{part['vignette_exact_match']:.3f} |")
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
