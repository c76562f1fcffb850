# NEAT Scope: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
# Debian packages Qt's X11 (xcb) platform plugin needs for a real window; offscreen needs none.
QT_X11_PACKAGES := libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 \
                   libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 \
                   libegl1 libfontconfig1 libdbus-1-3

.PHONY: run test bench venv qt-x11-libs clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,ray]"
	touch $(STAMP)

run: $(STAMP) qt-x11-libs
	$(VENV)/bin/neatscope gui

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/xor_bench.py --seeds 100 --generations 300
	$(PY) bench/cartpole_bench.py --generations 20 --neat-python-generations 5
	$(PY) bench/gui_stall_bench.py
	$(PY) bench/gui_redraw_cost.py
	$(PY) bench/compare_bench.py --seeds 10 --workers 2
	nice -n 10 $(PY) bench/backprop_neat_bench.py --seeds 10
	$(PY) bench/xor_bench.py --per-process --seeds 20
	$(PY) bench/gui_stall_bench.py --kernel numba --cartpole-only
	$(PY) bench/startup_bench.py --rounds 20
	$(PY) bench/hostile_bench.py --mutants 5000 --memory-mb 50
	$(PY) bench/hyperneat_bench.py decode
	nice -n 10 $(PY) bench/hyperneat_bench.py boxes --seeds 20 --generations 200
	nice -n 10 $(PY) bench/ray_bench.py overhead --repeats 5
	nice -n 10 $(PY) bench/ray_bench.py compare --seeds 8 --max-evaluations 300 --max-steps 30
	nice -n 10 $(PY) bench/paper_bench.py --runs 100
	nice -n 10 $(PY) bench/paper_bench.py --task double-pole --runs 100 --generations 300
	nice -n 10 $(PY) bench/double_pole_bench.py velocities --runs 100 --max-generations 150
	nice -n 10 $(PY) bench/double_pole_bench.py velocities --runs 3 --first-seed 2 --side-by-side 3 --max-generations 300
	nice -n 10 $(PY) bench/double_pole_bench.py no-velocities --runs 21 --max-generations 150
	nice -n 10 $(PY) bench/archsearch_bench.py --seeds 10 --workers 2 --out bench/out/archsearch_results.json
	$(PY) bench/playground_redraw_cost.py --dataset spiral --generations 40

# Installs the X11 libraries when missing (as root with apt-get), else names the command to run.
qt-x11-libs: $(STAMP)
	@plugin=$$($(PY) -c "import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), 'Qt', 'plugins', 'platforms', 'libqxcb.so'))"); \
	if ldd "$$plugin" | grep -q "not found" || ! ldconfig -p | grep -q libxcb-cursor; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Qt's X11 libraries: $(QT_X11_PACKAGES)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(QT_X11_PACKAGES); \
		else \
			echo "Qt needs X11 libraries to open a window. Install them with:"; \
			echo "  sudo apt-get install $(QT_X11_PACKAGES)"; exit 1; \
		fi; \
	fi
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "No display found (DISPLAY is unset). On a headless machine: apt-get install xvfb, then xvfb-run make run"; exit 1; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info bench/out .pytest_cache
