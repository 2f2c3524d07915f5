"""Which district a point lies in: the one implementation is :func:`planner.geo.land.district_of_points`."""

from __future__ import annotations

from planner.geo.land import district_of_points

__all__ = ["district_of_points"]
