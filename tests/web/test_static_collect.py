"""`mutualplan serve` collects the static files at start, once: a restart with the same
sources skips the collect (it costs a second), a changed source collects again."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

from django.test import override_settings

from mutualplan.http import static_files


def test_a_second_start_with_the_same_sources_does_not_collect_again(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=str(tmp_path)):
        static_files.collect_static()
        hashed = list((tmp_path / "mutualplan").glob("app.*.css"))
        assert hashed, "the first start collects the files under hashed names"

        with mock.patch("django.core.management.call_command") as collect:
            static_files.collect_static()
        assert collect.call_count == 0

        changed: Any = mock.patch.object(
            static_files, "_sources_fingerprint", return_value="another"
        )
        with changed, mock.patch("django.core.management.call_command") as collect:
            static_files.collect_static()
        assert collect.call_count == 1
    assert (tmp_path / static_files.SOURCES_STAMP).read_text() == "another"
