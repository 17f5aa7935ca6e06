"""``python -m graph.cli``: the same as the ``aidgraph`` console script."""

import sys

from graph.cli import main

sys.exit(main())
