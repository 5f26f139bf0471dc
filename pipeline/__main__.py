"""``python -m pipeline`` is the ``minsheng`` command."""
import sys

from .cli import main

sys.exit(main())
