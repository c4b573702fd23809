"""The settings of the test suite and of every server and CLI run it starts: the product's,
with a fast password hasher. The real one is slow on purpose, and the suite creates sellers
and signs in hundreds of times."""

from mutualplan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
