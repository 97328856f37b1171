"""Writes of the organizations app, one module per area: `tree` (organizations, their kinds and
role assignments) and `imports` (applying import files).

The tree writes are re-exported here (``from organizations.services import assign_role``);
imports are used by module: ``from organizations.services import imports``.
"""

from .tree import (
    DEFAULT_KINDS,
    TreeError,
    assign_role,
    create_organization,
    ensure_default_kinds,
    move_organization,
    revoke_role,
)

__all__ = [
    "DEFAULT_KINDS",
    "TreeError",
    "assign_role",
    "create_organization",
    "ensure_default_kinds",
    "move_organization",
    "revoke_role",
]
