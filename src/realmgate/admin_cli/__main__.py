"""``python -m realmgate.admin_cli ...`` (the same as ``realmgate admin ...``)."""

import sys

from realmgate.admin_cli import main

sys.exit(main())
