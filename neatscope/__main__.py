"""``python -m neatscope`` runs the command line."""

from neatscope.cli import main

raise SystemExit(main())
