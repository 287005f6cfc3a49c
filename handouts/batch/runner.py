"""Turn row plans into results in manifest order, with a bounded window of rows in flight in worker processes."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from handouts.batch.options import BatchOptions, RowPlan
from handouts.batch.worker import (
    RowResult,
    failed_result,
    init_worker,
    problem_result,
    render_row,
    use_engine,
)
from handouts.engine import Engine
from handouts.errors import Problem

# --- the run: a bounded window of rows in flight, results in manifest order ---------------------------


@dataclass
class _Entry:
    plan: RowPlan
    item: Future[RowResult] | RowResult


class Runner:
    """Feeds planned rows to a process pool, at most a few per worker in flight, and yields results in order."""

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        self.window: deque[_Entry] = deque()
        self.executor: ProcessPoolExecutor | None = None

    def results(self, plans: Iterator[RowPlan]) -> Iterator[RowResult]:
        if self.options.jobs <= 1:
            use_engine(Engine.from_dirs(self.options.content_dirs, self.options.templates_dirs))
            for plan in plans:
                yield problem_result(plan) if plan.problems else render_row(plan, self.options.force)
            return
        limit = self.options.jobs * 4
        for plan in plans:
            self.window.append(self._start(plan))
            while len(self.window) >= limit:
                yield self._finish()
        while self.window:
            yield self._finish()
        self.close()

    def _start(self, plan: RowPlan) -> _Entry:
        if plan.problems:
            return _Entry(plan, problem_result(plan))
        return _Entry(plan, self._pool().submit(render_row, plan, self.options.force))

    def _pool(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=self.options.jobs,
                initializer=init_worker,
                initargs=(self.options.content_dirs, self.options.templates_dirs, os.getpid()),
            )
        return self.executor

    def _finish(self) -> RowResult:
        while True:
            entry = self.window[0]
            if isinstance(entry.item, RowResult):
                self.window.popleft()
                return entry.item
            try:
                result = entry.item.result()
            except BrokenProcessPool:
                self._recover()
                continue
            self.window.popleft()
            return result

    def _recover(self) -> None:
        """A worker died (out of memory, a crash) and took the rows in flight with it: retry each of them
        alone in a fresh pool, so only the row that kills a worker by itself fails."""
        broken = self.executor
        self.executor = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        for entry in self.window:
            if isinstance(entry.item, Future) and isinstance(entry.item.exception(), BrokenProcessPool):
                entry.item = self._alone(entry.plan)

    def _alone(self, plan: RowPlan) -> RowResult:
        try:
            return self._pool().submit(render_row, plan, self.options.force).result()
        except BrokenProcessPool:
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None
            stopped = "the worker process stopped while rendering this row"
            return failed_result(plan, [Problem(stopped, "it may need more memory; try --jobs 1")])

    def stop(self) -> Iterator[RowResult]:
        """After Ctrl-C or SIGTERM: let the rows in progress finish, drop the rest, yield what finished."""
        self.close()
        for entry in self.window:
            item = entry.item
            if isinstance(item, RowResult):
                yield item
            elif item.done() and not item.cancelled() and item.exception() is None:
                yield item.result()
        self.window.clear()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
