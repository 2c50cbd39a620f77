"""`python -m lantai` runs the command line."""

from lantai.cli import main

raise SystemExit(main())
