"""Benchmark of the workbook writers on the term report's sheet of every value (issue 19); a plain
script, not a test.

    python bench/bench_xlsx.py [--rows 1148165] [--writers openpyxl xlsxwriter core]
    DATABASE_URL=postgres://… python bench/bench_xlsx.py --source report

Each writer writes one workbook whose sheet holds the header and the rows of the values sheet
(13 cells a row: period, organization code and name, subject, kind, indicator code, name and
unit, value entered, reviewer's value, value scored, reason, time), in a child process of its
own, so its peak resident memory (`VmHWM`) is its own:

- `openpyxl`: the writer of the report until issue 19, openpyxl's write-only mode, a row appended
  at a time after `core.cells.xlsx_value`;
- `xlsxwriter`: XlsxWriter in constant-memory mode, a typed call per cell (`write_string`,
  `write_number`, `write_boolean`), when XlsxWriter is installed (it is not a dependency);
- `core`: `core.xlsx`, the header by openpyxl and the rows written into the sheet's XML.

A `rows` child only reads the rows, so the cost of making them can be told from the writing.

`--source synthetic` (the default) makes the rows in the process, the shape and types of the
benchmark data set's (`bench_reports`: 10,000 branches × 115 values, mostly numbers and booleans,
a review reason on one value in ten with "&" and "<" in it, Chinese names), cheap to make.
`--source report` reads them from PostgreSQL through `reports.selectors.value_rows` for the
synthetic group's report over the benchmark year: run `bench/bench_reports.py` once first for
its data set (10,000 organizations). `--rows` then caps the rows read.

Each workbook's first rows are read back with openpyxl and must equal the openpyxl writer's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

ROWS = 1_148_165
COLUMNS = 13
CHECKED = 2_000
WIDTHS = [12, 12, 24, 24, 10, 10, 30, 8, 12, 12, 12, 24, 16]
HEADERS = [
    "周期",
    "组织代码",
    "组织",
    "对象",
    "对象类型",
    "指标代码",
    "指标",
    "单位",
    "填报值",
    "审核值",
    "计分值",
    "审核理由",
    "更新时间",
]


def synthetic_rows(count: int):
    """Rows shaped as `value_rows` yields them for the benchmark data set, made cheaply."""
    orgs = [(f"S{i:05d}", f"第{i}党支部（Branch {i}）") for i in range(10_000)]
    units = ["次", "%", "分", "", "人"]
    indicators = [
        (f"C{i // 10}.{i % 10:02d}", f"指标{i}：三会一课落实情况", units[i % 5]) for i in range(115)
    ]
    entered = [3, 12, True, 87.5, 0, False, 15, 92.3, 1, 7, True, 64.0, "n/a"]
    reasons = [None] * 9 + ["复核：材料不全 & <附件>缺失"]
    for index in range(count):
        code, name = orgs[index // 115 % 10_000]
        indicator, title, unit = indicators[index % 115]
        value = entered[index % 13]
        reviewed = 5 if index % 17 == 0 else None
        yield (
            "2026年度",
            code,
            name,
            name,
            "branch",
            indicator,
            title,
            unit,
            value,
            reviewed,
            reviewed if reviewed is not None else value,
            reasons[index % 10],
            f"2026-11-{index // 115 % 28 + 1:02d} {index % 24:02d}:{index % 60:02d}",
        )


def _rows(args: argparse.Namespace):
    if args.source == "synthetic":
        return synthetic_rows(args.rows)
    import django

    django.setup()
    from reports import selectors
    from reports.models import Report

    report = Report.objects.select_related("organization").get(pk=args.report)
    return itertools.islice(selectors.value_rows(report), args.rows)


def write_openpyxl(path: str, rows) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from core.cells import xlsx_cell, xlsx_value

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Values")
    font, fill = Font(bold=True), PatternFill("solid", fgColor="F3E5E5")
    sheet.append([xlsx_cell(sheet, h, font=font, fill=fill) for h in HEADERS])
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    book.save(path)


def write_xlsxwriter(path: str, rows) -> None:
    import xlsxwriter

    from core.cells import xlsx_value

    book = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("Values")
    header = book.add_format({"bold": True, "bg_color": "#F3E5E5"})
    sheet.write_row(0, 0, HEADERS, header)
    text, number, boolean = sheet.write_string, sheet.write_number, sheet.write_boolean
    for at, row in enumerate(rows, 1):
        for column, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if value:
                    text(at, column, xlsx_value(value))
            elif kind is bool:
                boolean(at, column, value)
            elif kind is int or kind is float:
                number(at, column, value)
    book.close()


def write_core(path: str, rows) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from core import xlsx
    from core.cells import xlsx_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Values")
    font, fill = Font(bold=True), PatternFill("solid", fgColor="F3E5E5")
    sheet.append([xlsx_cell(sheet, h, font=font, fill=fill) for h in HEADERS])
    xlsx.save(book, path, [xlsx.Rows(sheet, rows)])


def read_rows(path: str, rows) -> None:
    for _row in rows:
        pass


WRITERS = {
    "rows": read_rows,
    "openpyxl": write_openpyxl,
    "xlsxwriter": write_xlsxwriter,
    "core": write_core,
}


def child(args: argparse.Namespace) -> None:
    """Write (or read) the rows and print what it took, as JSON; imports are not timed."""
    import openpyxl  # noqa: F401

    import core.xlsx  # noqa: F401

    if args.child == "xlsxwriter":
        import xlsxwriter  # noqa: F401
    rows = _rows(args)
    counted = [0]

    def counting():
        for row in rows:
            counted[0] += 1
            yield row

    path = os.path.join(args.out, f"{args.child}.xlsx")
    started, cpu = time.perf_counter(), time.process_time()
    WRITERS[args.child](path, counting())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = os.path.getsize(path) if os.path.exists(path) else 0
    print(
        json.dumps(
            {
                "writer": args.child,
                "rows": counted[0],
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": peak_kib() / 1024,
                "size_mb": size / 1e6,
            }
        )
    )


def first_rows(path: str, count: int) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=1, max_row=count + 1, values_only=True))
    book.close()
    return rows


def peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _report_id() -> int:
    import django

    django.setup()
    from bench_reports import _benchmark_period, request

    if _benchmark_period() is None:
        raise SystemExit("no benchmark period: run bench/bench_reports.py once first")
    return request("xlsx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--source", choices=["synthetic", "report"], default="synthetic")
    parser.add_argument("--writers", nargs="+", default=["rows", "openpyxl", "xlsxwriter", "core"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    from bench_scoring import cpu_model

    report = None
    if args.source == "report":
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            print("--source report needs DATABASE_URL (PostgreSQL). Skipped.", file=sys.stderr)
            return 0
        report = _report_id()
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs; load average {os.getloadavg()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_xlsx") as out:
        for writer in args.writers:
            if writer == "xlsxwriter":
                try:
                    import xlsxwriter  # noqa: F401
                except ImportError:
                    print("xlsxwriter: not installed, skipped", flush=True)
                    continue
            command = [sys.executable, __file__, "--child", writer, "--out", out]
            command += ["--rows", str(args.rows), "--source", args.source]
            if report is not None:
                command += ["--report", str(report)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
            if line is None:
                print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
                return 1
            result = json.loads(line)
            result["load"] = os.getloadavg()[0]
            results.append(result)
            print(
                f"  {writer:<10} {result['seconds']:7.1f} s  "
                f"{result['rows'] * COLUMNS / result['seconds']:>10,.0f} cells/s  "
                f"peak {result['peak_mb']:6.1f} MB  load {result['load']:.2f}",
                flush=True,
            )
        reference = None
        for result in results:
            if result["writer"] == "rows":
                continue
            rows = first_rows(os.path.join(out, f"{result['writer']}.xlsx"), CHECKED)
            reference = reference or rows
            result["same"] = rows == reference

    reading = next((r for r in results if r["writer"] == "rows"), None)
    print()
    print(
        f"{'writer':<10} {'rows':>10} {'seconds':>8} {'cells/s':>10} {'writing':>10} "
        f"{'CPU s':>7} {'cells/CPU s':>11} {'peak MB':>8} {'file MB':>8} {'load':>5}  "
        f"first {CHECKED:,} rows"
    )
    for r in results:
        cells = r["rows"] * COLUMNS
        writing = r["seconds"]
        if reading is not None and r is not reading:
            writing -= reading["seconds"]
        same = "" if r["writer"] == "rows" else ("as openpyxl's" if r["same"] else "DIFFER")
        print(
            f"{r['writer']:<10} {r['rows']:>10,} {r['seconds']:>8.1f} "
            f"{cells / r['seconds']:>10,.0f} {cells / max(writing, 1e-9):>10,.0f} "
            f"{r['cpu_seconds']:>7.1f} {cells / max(r['cpu_seconds'], 1e-9):>11,.0f} "
            f"{r['peak_mb']:>8.1f} {r['size_mb']:>8.1f} {r['load']:>5.2f}  {same}"
        )
    print(
        "cells/s: cells over the child's whole time; writing: over its time less the rows "
        "child's;\ncells/CPU s: over the processor time the child had (on a shared machine the "
        "steadier figure)"
    )
    print(f"load average at the end: {os.getloadavg()} (the machine may be shared)")
    return 0 if all(r.get("same", True) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
