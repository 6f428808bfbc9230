"""Children that obey file modes even when the tests run as root (CI does): a read-only folder refuses them as it
would refuse a student, since root's capabilities otherwise write anywhere whatever chmod says."""

from __future__ import annotations

import os

_PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root write where a folder's mode says no.
_ROOT_OVERRIDES = (1, 2, 3)


def obey_file_modes() -> None:
    """preexec_fn: as root, give the child up the capabilities that ignore file modes, so a folder without write
    permission refuses it as it would refuse a student (CI runs as root, where chmod alone stops nothing)."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _ROOT_OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")
