"""Securing the state directory: created 0700, or stripped of group/other bits with everything
in it; what a link inside it points at is not the state directory's to change."""

from __future__ import annotations

import stat
from pathlib import Path

from daemon.state_dir import Tightened, secure_state_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_missing_state_dir_is_created_private(tmp_path: Path):
    state = tmp_path / "state"
    assert secure_state_dir(state) is None
    assert _mode(state) == 0o700


def test_a_wide_state_dir_is_tightened_but_not_what_its_links_point_at(tmp_path: Path):
    outside = tmp_path / "shared.csv"
    outside.write_text("")
    outside.chmod(0o644)
    state = tmp_path / "real-state"
    (state / "exports").mkdir(parents=True)
    state.chmod(0o755)
    (state / "exports").chmod(0o775)
    journal = state / "journal.sqlite"
    journal.write_text("")
    journal.chmod(0o640)
    private = state / "access_token"
    private.write_text("")
    private.chmod(0o600)
    (state / "exports" / "link.csv").symlink_to(outside)
    link_to_state = tmp_path / "state"
    link_to_state.symlink_to(state)  # a configured state_dir may itself be a link

    assert secure_state_dir(link_to_state) == Tightened(directory_mode=0o755, paths=3)

    assert [_mode(p) for p in (state, state / "exports", journal, private)] == [
        0o700, 0o700, 0o600, 0o600,
    ]  # fmt: skip
    assert _mode(outside) == 0o644
    assert secure_state_dir(link_to_state) is None  # nothing left to do
