"""Process start-up tuning shared by the WSGI entry point and the benchmarks."""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def freeze_startup_heap() -> None:
    """Move everything allocated while starting (modules, URL resolvers, catalogues, …) out of the garbage
    collector's reach.

    Those objects live as long as the process, yet every full collection walked them all again: on this 2-core
    machine that was a pause of 100–200 ms every few requests (the p95 of the case list). Objects created by
    requests are still collected as usual.
    """
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Load what the first report would otherwise wait for: the grid index, the triage model with jieba's
    dictionary, the categories, keys and area holders (1–2 s in all, measured as a 2-second first report in each
    gunicorn worker). A database that cannot be read yet (not migrated, not reachable) is no reason not to start:
    the same things then load on first use, as before.
    """
    from django.db import connections

    try:
        from gridgov.cases.selectors import category_by_code
        from gridgov.geo.index import get_grid_index
        from gridgov.triage.registry import get_model

        get_grid_index()
        get_model()
        category_by_code("")
    except Exception:
        logger.warning("warm-up skipped: the database cannot be read yet", exc_info=True)
    finally:
        # Nothing opened here may be shared with processes forked from this one (gunicorn --preload).
        connections.close_all()
