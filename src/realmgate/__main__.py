"""``python -m realmgate``."""

from realmgate.cli import main

raise SystemExit(main())
