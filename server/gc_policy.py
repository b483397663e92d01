"""Garbage collection for the serving process: freeze what start-up built, collect young objects less often.

A running service holds a few hundred thousand long-lived objects (modules, schemas, address
rules, fonts, compiled statements). CPython's default collector walks all of them on every
full collection and runs a young collection every 700 net allocations; measured on
``quote_order`` (bench/cpu.py), collections took about a tenth of the process's CPU.

``settle`` runs once, after the app has started: ``gc.freeze()`` moves every object alive then
into the permanent generation, which collections skip (the CPython docs suggest it for
long-lived processes that fork; the saving here is the same walk), and the young generation's
threshold is raised so a request's short-lived containers are mostly freed by reference
counting before a collection looks at them. Cycles are still collected, only later: memory
stays bounded by the threshold (``PIETERPOST_GC_GEN0_THRESHOLD`` objects, a few MB).
"""
from __future__ import annotations

import gc
import logging

log = logging.getLogger("pieterpost.gc")


def settle(gen0_threshold: int) -> None:
    """Freeze start-up's objects and set the young generation's threshold; 0 leaves the collector alone."""
    if gen0_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0_threshold, gen1, gen2)
    log.info("gc settled", extra={"fields": {"frozen": gc.get_freeze_count(), "gen0Threshold": gen0_threshold}})
