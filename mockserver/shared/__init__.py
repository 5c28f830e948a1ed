"""One request journal, traffic meter and mock clock for every worker process sharing a store.

``serve --workers N`` turns ``Settings.shared_runtime`` on; ``share`` then swaps the engine's
in-process journal and meter for store-backed ones written behind by one ``Flusher`` thread
(stopped, with a last flush, by ``MockEngine.close``) and links its clock to the store. Off,
nothing here is imported and a request pays nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.shared.clock_link import StoreClockLink
from mockserver.shared.flusher import Flusher
from mockserver.shared.journal import SharedJournal
from mockserver.shared.traffic import SharedTrafficMeter

if TYPE_CHECKING:
    from mockserver.engine import MockEngine

__all__ = ["Flusher", "SharedJournal", "SharedTrafficMeter", "StoreClockLink", "share"]


def share(engine: MockEngine) -> None:
    def flush() -> None:
        try:
            journal.flush()
        finally:  # the meter's counts go even when the journal's write failed
            traffic.flush()

    flusher = Flusher(flush, lambda: journal.pending() or traffic.pending())
    journal = SharedJournal(engine.store, engine.settings.journal_size, on_buffer=flusher.poke)
    traffic = SharedTrafficMeter(engine.store, on_buffer=flusher.poke)
    engine.journal, engine.traffic, engine.flusher = journal, traffic, flusher
    engine.close_hooks.append(flusher.stop)
    engine.clock.link(StoreClockLink(engine.store))

    def republish_clock(apis: list[str] | None) -> None:
        if apis is None:  # a full reset cleared every key, the clock's with them: put it back
            engine.clock.publish()

    engine.reset_hooks.append(republish_clock)
