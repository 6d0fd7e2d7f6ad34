# Two entry points for a fresh machine: `make run` and `make test`. Both are idempotent.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export TOKENIZERS_PARALLELISM := false
PORT ?= 8501

.PHONY: run test install index bench eval clean

# Reinstall only when pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# `netlm-rag build` is incremental: it does nothing when the index matches the corpus.
index: install
	$(BIN)/netlm-rag build

run: index
	$(BIN)/streamlit run app.py --server.headless true --server.address 127.0.0.1 \
	  --server.port $(PORT) --browser.gatherUsageStats false

test: install
	$(BIN)/python -m pytest -q

bench: index
	$(BIN)/python bench/run.py

eval: index
	$(BIN)/netlm-rag eval --qa eval/qa.jsonl --out eval/runs/latest

clean:
	rm -rf $(VENV) index/CURRENT index/builds
