"""The `mutualplan` command line, by area (the entry point is `mutualplan.cli:main`)."""
