"""Operations on a whole installation (backup and restore), shared by the CLI and the tests."""
