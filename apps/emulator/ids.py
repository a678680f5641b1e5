"""Cloud-shaped identifiers from a seeded generator, shaped like the ids of the doc examples."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable

_ALNUM = string.ascii_lowercase + string.digits
_ADJECTIVES = tuple(
    "ashamed brave calm eager fancy gentle happy jolly kind lively merry nimble proud quiet "
    "rapid shiny tidy witty zealous bold".split()
)
_COLOURS = tuple(
    "turquoise cerulean saffron crimson amber ivory indigo olive coral magenta teal violet "
    "ochre sepia lime pink aqua mauve".split()
)
_ANIMALS = tuple(
    "rooster frog herring falcon skunk bird swan dodo mastiff bonobo gerbil barnacle ladybug "
    "bulldog fox goose seagull porcupine slug".split()
)


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def short(self, prefix: str) -> str:
        """`job-3n2weaqt`: a prefix and eight lowercase alphanumerics."""
        return self._unique(lambda: prefix + "-" + "".join(self._rng.choices(_ALNUM, k=8)))

    def words(self, prefix: str) -> str:
        """`run-ashamed-turquoise-rooster-131773`, the omics style."""
        rng = self._rng
        return self._unique(
            lambda: (
                f"{prefix}-{rng.choice(_ADJECTIVES)}-{rng.choice(_COLOURS)}-"
                f"{rng.choice(_ANIMALS)}-{rng.randrange(1_000_000):06d}"
            )
        )

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def ipv4(self, first: int) -> str:
        rng = self._rng
        return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
