"""netlm-rag Streamlit app: chat with cited answers and criteria checks; sources; evaluation; maintenance.
Streamlit only (layout, session state, caching): retrieval, answers and rules live in netlm_rag.
Run: streamlit run app.py (see Makefile `make run`)."""
from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import chat_page, clear_chat, evaluation_page, maintenance_page, sources_page
from netlm_rag.app_support import facts_override, status_line
from netlm_rag.config import Settings
from netlm_rag.rules.facts import SITES
from netlm_rag.status import index_status

DISCLAIMER = ("Decision support drawn from five review articles (2013–2020). It is not a guideline and does not "
              "replace a multidisciplinary tumour board or the primary literature.")
PAGES = ("Chat", "Sources", "Evaluation", "Maintenance")
YES_NO = {"yes": True, "no": False}
POS_NEG = {"positive": True, "negative": False}
# (key, label, min, max, step) of the numeric patient facts; None means "not given".
NUMBERS = (("age", "Age (years)", 0, 120, 1), ("ki67_pct", "Ki-67 (%)", 0.0, 100.0, 0.5),
           ("liver_involvement_pct", "Liver involvement (%)", 0.0, 100.0, 5.0),
           ("bilirubin_mg_dl", "Bilirubin (mg/dL)", 0.0, 60.0, 0.1), ("flr_pct", "Future liver remnant (%)", 0.0, 100.0, 5.0),
           ("lesion_size_cm", "Largest lesion (cm)", 0.0, 40.0, 0.5), ("lesion_count", "Number of liver lesions", 0, 1000, 1),
           ("stable_disease_months", "Stable disease (months)", 0.0, 600.0, 1.0))
CHOICES = (("grade", "Grade", {"G1": "G1", "G2": "G2", "G3": "G3"}),
           ("extrahepatic_disease", "Extrahepatic disease", YES_NO),
           ("portal_vein_thrombosis", "Portal vein thrombosis",
            {"none": "none", "branch": "branch", "main": "main", "yes, unspecified": "unspecified"}),
           ("sstr_positive", "SSTR imaging", POS_NEG),
           ("primary_site", "Primary site", {site.replace("_", " "): site for site in SITES}),
           ("prior_whipple", "Prior Whipple", YES_NO),
           ("bilioenteric_anastomosis", "Bilio-enteric anastomosis", YES_NO))


def clear_facts() -> None:
    for key, *_ in NUMBERS:
        st.session_state[f"f_{key}"] = None
    for key, _, _ in CHOICES:
        st.session_state[f"f_{key}"] = None


def facts_form() -> dict[str, Any]:
    """The sidebar patient facts: they complete or override what is parsed from the question; blanks are omitted."""
    values: dict[str, Any] = {}
    with st.expander("Patient facts", icon=":material/person:"):
        st.caption("Complete or override what the question says. Leave blank when unknown.")
        for key, label, lo, hi, step in NUMBERS:
            values[key] = st.number_input(label, lo, hi, value=None, step=step, key=f"f_{key}")
        for key, label, options in CHOICES:
            picked = st.selectbox(label, list(options), index=None, placeholder="not given", key=f"f_{key}")
            values[key] = None if picked is None else options[picked]
        st.button("Clear patient facts", on_click=clear_facts, key="clear_facts")
    return facts_override(values)


def sidebar(s: Settings) -> dict[str, Any]:
    with st.sidebar:
        st.markdown("### netlm-rag")
        page = st.radio("Page", PAGES, key="page", label_visibility="collapsed")
        st.caption(DISCLAIMER)
        facts = facts_form()
        with st.expander("Settings", icon=":material/tune:"):
            k = st.slider("Passages retrieved (k)", 3, 20, s.retrieval.k, key="k")
            words = st.slider("Answer length (words)", 40, 300, s.answer.max_words, step=20, key="words")
        status = index_status(s)
        st.caption(status_line(status), help=status.get("problem") or f"Corpus {status['corpus']}, index {status['index']}")
        if page == "Chat":
            st.button("Clear conversation", on_click=clear_chat, key="clear_chat", icon=":material/delete_sweep:")
    return {"page": page, "facts": facts, "k": k, "words": words}


def main() -> None:
    st.set_page_config(page_title="netlm-rag · NET liver metastases", page_icon=":material/medical_information:",
                       layout="wide")
    s = Settings.from_env()
    side = sidebar(s)
    if side["page"] == "Chat":
        chat_page(s, side)
    elif side["page"] == "Sources":
        sources_page(s)
    elif side["page"] == "Evaluation":
        evaluation_page(s)
    else:
        maintenance_page(s)


main()
