"""NEAT Scope desktop workbench: a thin PySide6 shell over the Qt-free ``core`` engine.

Structure
---------
- ``main_window.MainWindow``: the shell. Menu bar, status bar, settings, Help; hosts workspaces
  as top-level tabs.
- ``workspaces/``: one module per workspace (``evolve``: one run; ``compare``: many runs in a
  process pool; ``substrate``: a HyperNEAT / ES-HyperNEAT champion's CPPN, decoded substrate,
  weight image, quadtree and boxes trials, decoded on a background thread). A workspace owns its
  widgets, its menus and its background work.
- ``panels/``: one module per view of a run (fitness, champion graph, species, gene alignment,
  ES optimiser, GA lineage, replay). The Evolve workspace shows every registered panel whose
  ``accepts(run)`` takes the current run, decided from what its reports carry.
- ``widgets/``: pieces shared by both (graph view, config form, task box, plot helpers, the
  substrate views).
- ``worker.py``: the thread that steps an algorithm and sends immutable reports back.
- ``registry.py``: **the registration points** (workspaces, panels, named tasks).

Adding a panel (e.g. HyperNEAT's substrate, a double-pole viewport)
-------------------------------------------------------------------
1. Write ``desktop_app/panels/my_panel.py``::

       class SubstratePanel(Panel):
           key, title, order = "substrate", "Substrate", 50
           help = "<b>Substrate</b>: what am I looking at ..."

           @classmethod
           def accepts(cls, run):              # RunInfo: algorithm, extras_type, task_spec, ...
               return run.extras_field("substrate")   # or run.algorithm == "hyperneat"

           def start_run(self, run):            # a new run: clear drawings, zoom, selections
               super().start_run(run)

           def update_from(self, history):      # draw from the immutable reports
               ...

           def show_genome(self, genome, label):  # optional: a genome picked elsewhere
               return False

   Use ``self.host.select_genome(genome, label)`` to send a picked genome to the graph and replay
   panels. Build plots with ``widgets.plots`` (``add_plot``, ``legend_row``, ``RangeKeeper``) so
   legends sit beside the data and ranges reset per run; colours come from ``theme``.
2. Add one line to ``registry.PANELS``: ``"desktop_app.panels.my_panel:SubstratePanel",``

Adding a workspace (e.g. the Backprop-NEAT playground, architecture search)
-------------------------------------------------------------------------
1. Write ``desktop_app/workspaces/my_workspace.py`` with a ``workspaces.base.Workspace``
   subclass (``key``, ``title``, ``help``; build its widgets in ``__init__(shell)``; optional
   ``build_menus``, ``status_text``, ``help_sections``, ``can_close``, ``shutdown``). Run long
   work off the GUI thread (a ``QThread`` worker like ``worker.py``, or a process pool polled by
   a ``QTimer`` like ``workspaces/compare.py``) and report errors with ``shell.error``.
2. Add one line to ``registry.WORKSPACES``. ``neatscope screenshot --workspace KEY`` renders it
   (extend ``screenshot.py`` if it needs a run first).

A task offered by name in the task boxes is one line in ``registry.TASKS`` (any gymnasium id
can be typed without one); node names for drawing come from ``core.tasks.node_names`` or from
``input_names`` / ``output_names`` attributes on the task or algorithm.
"""
