"""A bounded async feed: what a producer of items pushes, one reader takes.

Frames and messages arrive at the network's pace; a reader that falls
behind must not make memory grow, so the oldest items go (and are counted).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import AsyncIterator, Deque, Generic, Optional, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    """Items pushed by one side, read in order by ``async for`` on the other."""

    def __init__(self, max_items: int) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._items: Deque[T] = deque()
        self._max = max_items
        self._ready = asyncio.Event()
        self._ended = False
        self._error: Optional[BaseException] = None
        #: Items dropped because the reader fell more than ``max_items`` behind.
        self.dropped = 0

    def push(self, item: T) -> None:
        if self._ended:
            return
        if len(self._items) >= self._max:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._ready.set()

    def end(self, error: Optional[BaseException] = None) -> None:
        """No more items: the reader gets those left, then stops (or raises ``error``)."""
        self._ended = True
        self._error = self._error or error
        self._ready.set()

    @property
    def ended(self) -> bool:
        return self._ended

    async def get(self) -> T:
        """The next item; raises StopAsyncIteration (or the feed's error) once it ended and is empty."""
        while not self._items:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self.get()
