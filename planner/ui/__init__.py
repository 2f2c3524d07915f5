"""The desktop interface (PySide6): the main window, the map canvas and their helpers.

This is the only package of the planner that imports Qt. Everything else — the scenario model, the commands,
storage, geometry and analysis — stays Qt-free so that it can be used from scripts, tests and the CLI, and so
that the interface is only ever a view of (and an editor for) the model.
"""
