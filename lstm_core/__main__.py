"""``python -m lstm_core``: the command line (see ``lstm_core.cli``)."""

import sys

from lstm_core.cli import main

sys.exit(main())
