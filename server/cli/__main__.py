"""`python -m server.cli`: the same as the `mentorspace` command."""

import sys

from server.cli import main

sys.exit(main())
