"""The site's own Python: the build side of the guide, and the chart drawing the browser shares.

- ``fences``: the SuperFences formatters the guide's Markdown uses
  (```perfcalc, ```perfcalc-cli, ```perfcalc-reference); any engine that runs
  Python-Markdown with pymdownx (MkDocs, Zensical) renders them the same way.
- ``render``, ``reference``, ``examples``: what those formatters produce.
- ``charts``: the SVG drawing, also shipped to the browser's worker.
- ``bundle``: ``python -m perfcalc_site.bundle PUBLIC``, run after either
  engine's build: the runtime, the Python archives, the service worker.

Formulas live in ``perfcalc``; this package only renders and assembles.
Importing it imports nothing else, so the worker can load ``charts`` alone.
"""
