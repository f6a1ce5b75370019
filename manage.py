#!/usr/bin/env python
"""Same as the ``gridgov`` console command, for those used to manage.py."""

from gridgov.cli import main

if __name__ == "__main__":
    main()
