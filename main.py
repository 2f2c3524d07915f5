"""Entry point of the Ningbo District Scenario Planner: hands the command line to :mod:`planner.cli`.

``python main.py`` opens the desktop app on the bundled 2025 baseline; ``python main.py --help`` lists the
headless subcommands (validate, summary, export).
"""

import sys

from planner.cli import main

if __name__ == "__main__":
    sys.exit(main())
