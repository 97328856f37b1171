"""The dashboard's charts as plain data for ECharts (static/js/dashboards.js draws them).

Pure shaping of a `Dashboard` already read: no query. Every element carries the address it
drills down to, so a click on a bar, a cell or a point goes where the matching table link goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from .board import Dashboard


@dataclass(frozen=True)
class Links:
    """Addresses of the dashboard's drill-downs, keeping the period and the switch."""

    organization_id: int
    period_id: int
    submitted: bool = False

    def query(self, **params: Any) -> str:
        base: dict[str, Any] = {"period": self.period_id}
        if self.submitted:
            base["submitted"] = 1
        base.update({k: v for k, v in params.items() if v is not None})
        return urlencode(base)

    @cached_property
    def _prefix(self) -> str:
        """The dashboards' address before the organization's id: reversed once per page, not
        once per bar and point."""
        return reverse("dashboards:organization", args=[0]).removesuffix("0/")

    def _url(self, pk: int) -> str:
        return f"{self._prefix}{pk}/"

    def organization(self, pk: int, *, period_id: int | None = None) -> str:
        query = self.query()
        if period_id is not None:
            query = Links(pk, period_id, self.submitted).query()
        return f"{self._url(pk)}?{query}"

    def period(self, period_id: int) -> str:
        return self.organization(self.organization_id, period_id=period_id)

    def grade(self, kind: str, grade: str) -> str:
        return f"{self._url(self.organization_id)}?{self.query(kind=kind, grade=grade)}#drill"

    def indicator(self, code: str) -> str:
        return f"{self._url(self.organization_id)}?{self.query(indicator=code)}#drill"


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def chart_data(board: Dashboard, links: Links) -> dict[str, Any]:
    """Everything the charts draw, with their labels in the reader's language."""
    shown = board.shown_dimensions
    radar = board.radar_dimensions
    return {
        "max": board.max_points,
        # Totals can pass full marks by their bonus: their axes run to what can be reached.
        "reach": board.reach,
        "labels": {
            "score": _("Score"),
            "full": _("Full marks"),
            "unit": board.organization.display_name,
            "peers": _("Peer average"),
            "approved": _("Approved"),
            "submitted": _("Submitted, not approved"),
            "average": _("Average share of points (%)"),
            "withSubmitted": _("Including submitted (%)"),
            "subjects": _("Subjects"),
        },
        "submitted": board.submitted,
        "ranking": [
            {
                "name": child.name,
                "score": _round(child.score),
                "provisional": _round(child.provisional.total) if child.provisional else None,
                "url": links.organization(child.id),
            }
            for child in board.children
        ],
        "heatmap": {
            "dimensions": [d.name for d in shown],
            "rows": [
                {
                    "name": child.name,
                    "url": links.organization(child.id),
                    "cells": [
                        _round(child.cells[d.code].score) if d.code in child.cells else None
                        for d in shown
                    ],
                }
                for child in board.children
            ],
        },
        "radar": {
            "dimensions": [{"name": d.name, "max": board.max_points} for d in radar],
            "unit": [_round(board.own[d.code].score) for d in radar],
            "peers": [
                _round(board.peers[d.code].average) if d.code in board.peers else None
                for d in radar
            ],
        },
        "trend": {
            "periods": [point.period.display_name for point in board.trend],
            "unit": [_round(point.score) for point in board.trend],
            "peers": [_round(point.peer_average) for point in board.trend],
            "urls": [links.period(point.period.pk) for point in board.trend],
        },
        "grades": {
            "grades": board.grades.grades,
            "series": [
                {
                    "name": name,
                    "data": [count for _grade, count in cells],
                    "urls": [links.grade(code, grade) for grade in board.grades.grades],
                }
                for code, name, cells in board.grades.rows
            ],
        },
        "weak": [
            {
                "name": f"{item.code} {item.name}",
                "average": _percent(item.average),
                "withSubmitted": _percent(item.with_submitted),
                "url": links.indicator(item.code),
            }
            for item in board.weak
        ],
    }
