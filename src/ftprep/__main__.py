"""``python -m ftprep`` runs the command line."""

from ftprep.cli import main

raise SystemExit(main())
