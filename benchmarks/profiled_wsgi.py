"""gunicorn entry of http_completions when py-spy cannot attach: ``alur.wsgi:create()``,
wrapped so that one worker profiles itself with pyinstrument on request.

``ALUR_BENCH_PYINSTRUMENT=<trigger file>`` turns the wrapper on. Once the benchmark writes
the trigger file (``<seconds>\n<output stem>``), the first worker to claim it starts a
pyinstrument profiler in its request thread (a sync worker serves every request there) and,
after ``seconds``, writes ``<stem>.speedscope.json``, then ``<stem>.stacks.json`` (the
stacks ``profiling.read_stacks`` reads). Wall clock, like py-spy's ``--idle``. Used only by
the benchmark, never in production.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask

from alur import wsgi

TRIGGER_ENV = "ALUR_BENCH_PYINSTRUMENT"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create() -> Flask | Wsgi:
    app = wsgi.create()
    trigger = os.environ.get(TRIGGER_ENV)
    return SelfProfiling(app, Path(trigger)) if trigger else app


class SelfProfiling:
    def __init__(self, app: Wsgi, trigger: Path) -> None:
        self.app, self.trigger = app, trigger
        self.looked = False  # at the trigger once it existed: this worker or another profiles
        self.profiler: Any = None
        self.until = 0.0
        self.stem = Path()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any],
                 ) -> Iterable[bytes]:
        if not self.looked and self.trigger.exists():
            self.looked = True
            if self._claim():
                self._start()
        try:
            return self.app(environ, start_response)
        finally:
            if self.profiler is not None and time.monotonic() >= self.until:
                self._finish()

    def _claim(self) -> bool:
        try:
            os.close(os.open(f"{self.trigger}.claimed", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return False
        return True

    def _start(self) -> None:
        from pyinstrument import Profiler

        seconds, stem = self.trigger.read_text().split("\n", 1)
        self.stem, self.until = Path(stem.strip()), time.monotonic() + float(seconds)
        self.profiler = Profiler(interval=0.001, async_mode="disabled")
        self.profiler.start()

    def _finish(self) -> None:
        from pyinstrument.renderers import SpeedscopeRenderer

        session = self.profiler.stop()
        self.profiler = None
        Path(f"{self.stem}.speedscope.json").write_text(SpeedscopeRenderer().render(session))
        stacks: dict[tuple[int, ...], float] = {}
        frames: dict[tuple[str, str, int], int] = {}
        _walk(session.root_frame(trim_stem=False), (), frames, stacks)
        partial = Path(f"{self.stem}.stacks.json.partial")  # renamed once complete
        partial.write_text(json.dumps({"frames": list(frames),
                                       "stacks": [[list(k), v] for k, v in stacks.items()]}))
        partial.replace(f"{self.stem}.stacks.json")


def _walk(frame: Any, path: tuple[int, ...], frames: dict[tuple[str, str, int], int],
          out: dict[tuple[int, ...], float]) -> None:
    """Each frame's own time at its stack (synthetic self-time frames fold into the parent),
    the frames numbered in ``frames``."""
    if frame is None:
        return
    name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    key = (name, frame.file_path or "", frame.line_no or 0)
    here = (*path, frames.setdefault(key, len(frames)))
    real = [c for c in frame.children if not c.is_synthetic]
    own = frame.time - sum(c.time for c in real)
    if own > 0:
        out[here] = out.get(here, 0.0) + own
    for child in real:
        _walk(child, here, frames, out)
