"""``python -m perfcalc``: see :mod:`perfcalc.cli`."""

import sys

from .cli import main

sys.exit(main())
