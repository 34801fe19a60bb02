# InkLab -- `make run` opens the app, `make test` runs ruff, import-linter and the whole suite.
# Both set everything up on a fresh machine that has only Python 3.11.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
# Real data beside the repo (read-only) is offered to the app and the tests when present.
SHARED_DATA := $(abspath ../shared/data)
export INKLAB_DATA_PATH ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)

# Debian packages Qt's offscreen and X11 (xcb) platform plugins load at run time.
QT_DEBS := libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3 libglib2.0-0 \
           libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
           libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libx11-xcb1 fonts-dejavu-core
# Handwriting-style fonts the synthetic letters (bundled `letters` model, its tests) are drawn from
# (core/datasets/letter_fonts.py FONT_PACKAGES); `make models` also fetches the @fontsource
# handwriting families with npm into ~/.cache/inklab-fonts (INKLAB_FONT_CACHE), outside the repo.
FONT_DEBS := fonts-breip fonts-rufscript fonts-sjfonts fonts-bwht fonts-humor-sans fonts-comic-neue \
             fonts-sil-andika fonts-kiloji fonts-seto fonts-tlwg-purisa fonts-fantasque-sans
DEBS := $(QT_DEBS) $(FONT_DEBS)

.PHONY: run test lint bench models install-desktop uninstall-desktop wheel sysdeps clean

run: sysdeps $(VENV)/.installed
	$(PY) main.py

test: sysdeps $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n auto --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

bench: sysdeps $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Retrain the bundled models in resources/models (long: see README).  The letters' npm
# font packages are fetched by the build itself (npm needs no root; without npm it says how).
models: sysdeps $(VENV)/.installed
	$(PY) -m tools.build_models

# The launcher in the desktop's menus (current user; $XDG_DATA_HOME, default ~/.local/share),
# running this checkout.  An installed wheel does the same with `inklab install-desktop`.
install-desktop: $(VENV)/.installed
	$(PY) main.py install-desktop

uninstall-desktop: $(VENV)/.installed
	$(PY) main.py uninstall-desktop

# The wheel (with the bundled models and icons) in dist/: `pipx install dist/inklab-*.whl`.
wheel: $(VENV)/.installed
	$(PY) -m pip wheel --no-deps -w dist .

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Install the Debian packages above when missing: as root directly, otherwise say how.
sysdeps:
	@command -v dpkg >/dev/null 2>&1 || exit 0; \
	missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "InkLab needs Debian packages that are missing. Run:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
