"""The two ways a Bylos resource is used in a ``with`` block, written once.

:class:`Closing`: the object is ready when made and ``with`` only closes it at the end (a pool
of connections, a response being read). :class:`Running`: ``with`` starts it and stops it (a
process the object supervises). Both leave exceptions to propagate.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class Closing(ABC):
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Running(ABC):
    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
