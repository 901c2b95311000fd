import sys

from profiles.cli import main

sys.exit(main())
