"""``python -m narcokg.cli``: the same as the ``narcokg`` command."""

import sys

from narcokg.cli import main

sys.exit(main())
