"""A large, realistic metrics response: pipelines × series × points, made from a fixed seed."""

from __future__ import annotations

import json
import random

__all__ = ["make_response"]


def make_response(pipelines: int = 2000, points: int = 60, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    base = 1_736_935_200  # 2025-01-15T10:00:00Z

    def series(kind: str) -> list[dict[str, object]]:
        out = []
        for i in range(points):
            stamp = base + 60 * i
            hh, mm = divmod((stamp // 60) % 1440, 60)
            value: object = rng.randint(0, 10_000) if kind != "latency" else round(rng.random() * 500, 3)
            out.append({"value": value, "timestamp": f"2025-01-15T{hh:02d}:{mm:02d}:00Z"})
        return out

    connectors = {}
    for p in range(pipelines):
        connectors[f"pipeline_{p:05d}"] = {
            "timeseries": {"latency": series("latency"), "recordsLag": series("lag"), "status": series("status")},
            "latest": {"latency": round(rng.random() * 500, 3), "recordsLag": rng.randint(0, 10**6), "status": "Active"},
            "timesummary": None,
        }
    return json.dumps({"connector_metrics": connectors}, separators=(",", ":")).encode()
