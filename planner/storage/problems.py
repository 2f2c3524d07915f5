"""Problems found in a planner's file, and the error that carries them to the user.

Every message names the file, where in it (section, feature number and id, field) and what is wrong, so that a
planner can find and fix it in any editor. Nothing here ever shows a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: How many problems one message lists before summarising the rest.
MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: ``where`` in it (may be empty for the file as a whole) and ``message``."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        loc = f" — {self.where}" if self.where else ""
        return f"{self.file}{loc}: {self.message}"


class ScenarioFileError(Exception):
    """A file could not be read as a scenario; ``problems`` says why, each with its location."""

    def __init__(self, path: str | Path, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        super().__init__(self.report())

    def report(self, limit: int = MAX_LISTED) -> str:
        """All problems, one per line, at most ``limit`` of them followed by a count of the rest."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit} more problems in {self.path}")
        return "\n".join(lines)
