"""The campaign (创建周期): its folder, settings and ledger."""

from __future__ import annotations
