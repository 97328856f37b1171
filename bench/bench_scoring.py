"""Benchmark of the pure scoring engine (assessment.scoring); a plain script, not a test.

    python bench/bench_scoring.py [--only shipped|generated] [--framework PATH] [--runs N]
                                  [--subjects N]

Benches the shipped framework (assessment/data/framework.yaml, when it exists) and a generated one
where 120 indicators of every rubric kind apply to one subject kind, each on the subject kind with
the most indicators. For each it prints a table: parsing the framework, building the per-kind plan,
scoring one subject (median of many runs, µs), the same with not-applicable values, ``to_dict()``
and ``explain()``, and a batch of about 1,000,000 values through ``score_many``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessment.scoring import (  # noqa: E402  (the repository root is put on the path first)
    Framework,
    explain,
    load_file,
    parse_framework,
    score_many,
    score_subject,
)

SHIPPED = ROOT / "assessment" / "data" / "framework.yaml"
BATCH_VALUES = 1_000_000


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def generated_framework(count: int = 120) -> dict[str, Any]:
    """A framework where ``count`` indicators of every rubric kind apply to ``branch``."""
    dims = [f"C{n}" for n in range(1, 6)]
    children = {d: [f"{d}.{k}" for k in range(1, 4)] for d in dims}
    leaves = [c for d in dims for c in children[d]]
    guarantees = [f"G{n}" for n in range(1, 10)]
    plan = (
        ["linear"] * 48
        + ["bands"] * 24
        + ["yes_no"] * 18
        + ["deduction"] * 8
        + ["appraisal"] * 2
        + ["formula"] * 4
        + ["none"] * 8
        + ["bonus"] * 4
        + ["veto"] * 4
    )
    plan = (plan + ["linear"] * count)[:count]
    weighted = [k for k in plan if k not in ("none", "bonus", "veto")]
    weight = round(100 / len(weighted), 6)
    last_weight = round(100 - weight * (len(weighted) - 1), 6)
    indicators: list[dict[str, Any]] = []
    inputs = iter([f"N.{n:02d}" for n in range(1, 100)])
    pending_inputs: list[str] = []
    seen_weighted = 0
    for n, kind in enumerate(plan):
        code = f"I.{n:03d}"
        item: dict[str, Any] = {
            "code": code,
            "name": text(f"指标 {n}", f"Indicator {n}"),
            "dimension": leaves[n % len(leaves)],
            "also": [guarantees[n % len(guarantees)]],
            "applies_to": ["branch"],
            "value_type": "number",
            "unit": text("个", "items"),
            "direction": "higher",
            "weight": 0,
            "frequency": "year",
        }
        if kind in ("linear", "bands", "yes_no", "deduction", "appraisal", "formula"):
            seen_weighted += 1
            item["weight"] = last_weight if seen_weighted == len(weighted) else weight
        if kind == "linear":
            item.update(value_type="percentage", unit=text("%", "%"), target=100)
            item["rubric"] = {"kind": "linear", "floor": 60}
            item["plausible"] = {"min": 0, "max": 100}
        elif kind == "bands":
            item.update(value_type="count")
            item["rubric"] = {
                "kind": "bands",
                "bands": [
                    {"min": 12, "fraction": 1.0},
                    {"min": 9, "fraction": 0.8},
                    {"min": 6, "fraction": 0.5},
                ],
            }
        elif kind == "yes_no":
            item.update(value_type="boolean")
            item.pop("unit")
            item["rubric"] = {"kind": "yes_no"}
        elif kind == "deduction":
            item.update(value_type="count", direction="lower")
            item["rubric"] = {"kind": "deduction", "per": 1}
        elif kind == "appraisal":
            item.update(value_type="appraisal")
            item.pop("unit")
            item["rubric"] = {"kind": "appraisal"}
        elif kind == "none":
            item.update(value_type="count", code=next(inputs))
            item["rubric"] = {"kind": "none"}
            pending_inputs.append(item["code"])
        elif kind == "formula":
            item.update(value_type="percentage", unit=text("%", "%"), target=100)
            item["rubric"] = {
                "kind": "formula",
                "expr": "",
                "then": {"kind": "linear", "floor": 50},
            }
        elif kind == "bonus":
            item.update(value_type="count")
            item["rubric"] = {"kind": "bonus", "per": 1, "cap": 2}
        elif kind == "veto":
            item.update(value_type="boolean")
            item.pop("unit")
            item["rubric"] = {"kind": "veto"}
        indicators.append(item)
    formulas = [i for i in indicators if i["rubric"]["kind"] == "formula"]
    for k, item in enumerate(formulas):
        held, planned = pending_inputs[2 * k], pending_inputs[2 * k + 1]
        item["rubric"]["expr"] = f"if({planned} > 0, min(100, {held} / {planned} * 100), 0)"
    return {
        "code": "BENCH",
        "version": "1",
        "name": text("基准", "Benchmark"),
        "goal": text("目标", "Goal"),
        "total_points": 100,
        "grade_bands": [
            {"grade": "A", "min": 90, "name": text("优秀", "Excellent")},
            {"grade": "B", "min": 80, "name": text("良好", "Good")},
            {"grade": "C", "min": 60, "name": text("合格", "Qualified")},
            {"grade": "D", "min": 0, "name": text("不合格", "Not qualified")},
        ],
        "star_bands": [
            {"stars": s, "min": m} for s, m in [(5, 95), (4, 85), (3, 75), (2, 60), (1, 0)]
        ],
        "subject_kinds": [
            {"code": "branch", "unit": "organization", "name": text("支部", "Branch")}
        ],
        "axes": [
            {
                "code": "construction",
                "name": text("五大建设", "Constructions"),
                "dimensions": [
                    {
                        "code": d,
                        "name": text(d, d),
                        "children": [{"code": c, "name": text(c, c)} for c in children[d]],
                    }
                    for d in dims
                ],
            },
            {
                "code": "guarantee",
                "name": text("九大保障", "Guarantees"),
                "dimensions": [{"code": g, "name": text(g, g)} for g in guarantees],
            },
        ],
        "indicators": indicators,
    }


def random_values(
    framework: Framework, kind: str, rng: random.Random, na_share: float = 0.0
) -> dict[str, object]:
    """Plausible entered values; about 1% missing and ``na_share`` not applicable."""
    values: dict[str, object] = {}
    for ind in framework.indicators_for(kind):
        roll = rng.random()
        if roll < 0.01:
            continue
        if ind.kind in ("linear", "bands", "deduction") and roll < 0.01 + na_share:
            values[ind.code] = "n/a"
            continue
        if ind.value_type == "percentage":
            values[ind.code] = round(rng.uniform(50, 100), 1)
        elif ind.value_type == "count":
            values[ind.code] = (
                rng.randint(0, 15) if ind.kind != "veto" else int(rng.random() < 0.02)
            )
        elif ind.value_type == "boolean":
            values[ind.code] = rng.random() < (0.02 if ind.kind == "veto" else 0.85)
        elif ind.value_type == "appraisal":
            voters = rng.randint(5, 40)
            excellent = rng.randint(0, voters)
            competent = rng.randint(0, voters - excellent)
            values[ind.code] = {
                "voters": voters,
                "excellent": excellent,
                "competent": competent,
                "basic": voters - excellent - competent,
                "incompetent": 0,
            }
        elif ind.value_type == "number":
            target = ind.target if ind.target is not None else 10
            values[ind.code] = round(rng.uniform(0, max(1.0, float(target) * 1.2)), 2)
        else:
            values[ind.code] = "text"
    return values


def timings_us(fn: Callable[[], object], runs: int) -> tuple[list[int], list[int]]:
    """Wall-clock and CPU (this thread's) nanoseconds of each of ``runs`` calls, after a warm-up."""
    for _ in range(min(200, runs)):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        fn()
        cpu.append(time.thread_time_ns() - start_cpu)
        wall.append(time.perf_counter_ns() - start)
    return wall, cpu


def median_us(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time of one call, in µs.

    CPU time is shown as well because other load on a shared machine stretches wall-clock time
    more than the work done.
    """
    wall, cpu = timings_us(fn, runs)
    return statistics.median(wall) / 1000, statistics.median(cpu) / 1000


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench(framework: Framework, runs: int, subjects: int) -> list[tuple[str, str, str]]:
    """Rows of (measure, wall-clock, CPU) for the subject kind with the most indicators."""
    kind = max(framework.subject_kinds, key=lambda k: len(framework.indicators_for(k.code))).code
    n_ind = len(framework.indicators_for(kind))

    start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
    score_subject(framework, kind, {})  # builds and caches the plan
    plan = ((time.perf_counter_ns() - start) / 1000, (time.thread_time_ns() - start_cpu) / 1000)

    rng = random.Random(2026)
    pool = [random_values(framework, kind, rng) for _ in range(64)]
    na_pool = [random_values(framework, kind, rng, na_share=0.1) for _ in range(64)]
    cursor = iter(range(10**9))

    def one(values_pool: list[dict[str, object]]) -> Callable[[], object]:
        return lambda: score_subject(framework, kind, values_pool[next(cursor) % 64])

    wall, cpu = timings_us(one(pool), runs)
    single = statistics.median(wall) / 1000, statistics.median(cpu) / 1000
    fastest = min(wall) / 1000, min(cpu) / 1000
    with_na = median_us(one(na_pool), runs)
    sample = score_subject(framework, kind, pool[0])
    as_dict = median_us(sample.to_dict, max(100, runs // 10))
    words = median_us(lambda: explain(sample, "zh"), max(100, runs // 10))

    subjects = subjects or -(-BATCH_VALUES // n_ind)
    rows = ((n, pool[n % 64]) for n in range(subjects))
    began, began_cpu = time.perf_counter(), time.thread_time()
    graded = sum(1 for _, score in score_many(framework, kind, rows) if score.grade)
    batch = (time.perf_counter() - began, time.thread_time() - began_cpu)
    assert graded == subjects
    values = subjects * n_ind

    def us(pair: tuple[float, float]) -> tuple[str, str]:
        return f"{pair[0]:,.0f} µs", f"{pair[1]:,.0f} µs"

    return [
        (f"subject kind {kind!r}: indicators", str(n_ind), ""),
        ("plan for the subject kind (first call, once)", *us(plan)),
        ("score_subject, one subject (median)", *us(single)),
        ("  … per indicator", f"{single[0] / n_ind:.2f} µs", f"{single[1] / n_ind:.2f} µs"),
        (f"  … fastest of {runs:,} runs", *us(fastest)),
        ("  … with ~10% not applicable (median)", *us(with_na)),
        ("SubjectScore.to_dict() (median)", *us(as_dict)),
        ("explain(score, 'zh') (median)", *us(words)),
        (
            f"score_many: {subjects:,} subjects × {n_ind} = {values:,} values",
            f"{batch[0]:.2f} s",
            f"{batch[1]:.2f} s",
        ),
        ("  … per subject", *us((batch[0] / subjects * 1e6, batch[1] / subjects * 1e6))),
        ("  … subjects per second", f"{subjects / batch[0]:,.0f}", f"{subjects / batch[1]:,.0f}"),
        ("  … values per second", f"{values / batch[0]:,.0f}", f"{values / batch[1]:,.0f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--framework", type=Path, default=SHIPPED)
    parser.add_argument(
        "--only", choices=("shipped", "generated"), help="bench one framework, not both"
    )
    parser.add_argument("--runs", type=int, default=3000, help="runs for each median")
    parser.add_argument("--subjects", type=int, default=0, help="batch size (default ≈1M values)")
    args = parser.parse_args()

    sources: list[tuple[str, dict[str, Any]]] = []
    if args.only != "generated" and args.framework.exists():
        sources.append((str(args.framework.relative_to(ROOT)), load_file(args.framework)))
    if args.only != "shipped" or not sources:
        sources.append(("generated: 120 indicators for one subject kind", generated_framework()))

    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}")
    print("times: wall-clock and this thread's CPU time (the CPU time ignores other load)")
    for name, data in sources:
        parse = median_us(partial(parse_framework, data), max(5, args.runs // 100))
        rows = [
            ("parse_framework (whole file, median)", f"{parse[0]:,.0f} µs", f"{parse[1]:,.0f} µs"),
            *bench(parse_framework(data), args.runs, args.subjects),
        ]
        width = max(len(row[0]) for row in rows)
        print()
        print(f"framework: {name}")
        print(f"{'measure':<{width}}  {'wall':>14}  {'CPU':>14}")
        print(f"{'-' * width}  {'-' * 14}  {'-' * 14}")
        for label, wall, cpu in rows:
            print(f"{label:<{width}}  {wall:>14}  {cpu:>14}")


if __name__ == "__main__":
    main()
