"""The stored roll-up of a period recomputed by one PostgreSQL statement: a faithful baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench python bench/rollup_sql.py [--plan]

`bench_rollup.BASELINE_SQL` only reads, counts and averages the raw values per subtree. This module
holds `FAITHFUL_SQL`, one statement over the same tables (values, submissions, indicators with
their dimensions and "also" tags, organizations, people) that returns the rows `manage.py rollup`
stores in `assessment_rollup` for the period: one per (organization, dimension), the total being
the dimension ''. It is the same roll-up because every step replicates the Python code:

- scoring (`assessment.scoring.engine.score_subject`, `rubrics`): each entered value (the
  reviewer's where set) is typed as the engine coerces it for the indicator's value type; "n/a"
  makes it not applicable, null or "" missing (0 points, still weighed), a value that cannot be
  used invalid (0 points); an indicator that does not apply to the subject's kind is ignored.
  Each rubric kind is applied with the parameters read from the indicator's `rubric` JSON,
  `weight`, `direction` and `target`: linear, bands (the first band reached, best first:
  width_bucket over the limits), yes/no, deduction, appraisal (votes checked as the engine checks
  them), formula (the generated frameworks' expression ``if(A > 0, min(100, B / A * 100), 0)``,
  its two codes read from the stored expression with a regular expression, then scored by its
  `then` rubric; not applicable when an input is not), none, bonus (points on top of the base)
  and veto (caps the subject's grade and stars);
- re-normalisation: within each own dimension the weight of what is not applicable goes to the
  other indicators in proportion to their weights, a dimension where nothing applies drops out
  and every indicator is scaled so that the base is still out of `total_points`; a dimension's
  maximum is then the sum of its indicators' re-normalised maxima;
- dimension shares: a dimension counts the scored indicators whose own dimension lies in its
  subtree, and those of other axes tagged "also" with it; share = points / maximum of both;
- the subject's own scores (`services.scores._subject_row`, `services.rollup.own_scores`): the
  total (base + bonus) rounded to 6 decimals, and each dimension's share rounded to 6 decimals
  times `total_points`, rounded again; a submission expected but not counted (not approved, or
  of a kind the framework lacks) counts as the engine's score of nothing: 0 for the total and
  every dimension its kind is scored on (the default ``missing: zero``);
- the roll-up (`assessment.scoring.rollup.combine`; own weight w = 0.3 or the framework code's
  saved one, children weighted equally): an organization's score is
  ``w·own + (1 − w)·mean(children's scores)`` when it has both, else whichever it has.
  Unrolled, a descendant x's own score counts in an ancestor a's score with x's own share
  (w, or 1 without children) times the product of f(y) = (1 − own share(y)) / (children of y
  with a score) over y from a down to x's parent. With P(x) that product from the root down to
  x, the weight is share(x) · P(x) / P(a): the statement computes P once per (organization,
  dimension) and sums own · share · P over each subtree with the path index (as the count
  baseline joins organizations); the children's mean is then (score − share·own) / (1 − share);
- members (active party members), expected and approved submissions, completeness, the grade
  and stars of the rolled-up score, and competition ranks (1, 2, 2, 4) among siblings (the roots
  among themselves) and among peers (same root, kind and depth), per dimension.

Exactness. The subject's own scores are stored rounded to 6 decimals, and a share rounded the
other way is off by 1e-4 (× total_points), so the statement reproduces them to the bit: the
engine's sums are float additions in its order of indicators, so the plan's sums (maxima, kept
weight) are made in that order (sum(… ORDER BY pos): float8 sums add one by one), values are
summed per subject and dimension faster in another order, and where a total or a share lies
within float noise of a rounding half the subject's sums are made again value by value in the
engine's order; round(x, 6) is Python's (the exact binary value rounded, see _round6_exact).
The roll-up itself is not rounded level by level as our code does: its scores agree within a few
1e-6, and ranks may differ only where two scores are within 1e-6 of each other (verify counts
those apart).

Not reproduced (the benchmark has none of it; `verify` reports the settings and the formulas of
another shape): ``children: members``, ``missing: flag``, an own weight of 1 (the statement
fails), formulas of another shape or using other formulas, several organization submissions of
one organization in one period, the previous period's change, the explanation column, and
values stored as text that only `assessment.scoring.values` reads: full-width forms, thousands
commas, a percentage with its % sign, numbers beyond ±10¹² (the entry form stores numbers and
booleans).

`verify(cursor, period_id)` compares the statement's rows with the stored ones; `main()` times
the statement (median of 3, rows fetched, with the server's settings and tuned) and verifies it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK_CODE = "BENCHROLL"
SCORE_TOLERANCE = 1e-4  # the largest score difference accepted
TIE = 1e-6  # scores this close may be ranked either way (our code rounds at every level)
TUNED = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")

# -- SQL fragments ----------------------------------------------------------------------------
# A JSON value as the engine's _number() reads it: a finite float from a number or a numeric
# string, else NULL (booleans, objects, other text).
_NUM = r"""(CASE jsonb_typeof(@)
        WHEN 'number' THEN (@)::float8
        WHEN 'string' THEN CASE
            WHEN btrim(@ #>> ARRAY[]::text[], E' \t\n\r\f')
                 ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'
            THEN btrim(@ #>> ARRAY[]::text[], E' \t\n\r\f')::float8 END
    END)"""
# A vote count as rubrics._whole() reads it: a whole number >= 0 (or a numeric string), else NULL.
_WHOLE = "(CASE WHEN @ >= 0 AND @ = trunc(@) THEN @ END)"
# The words the engine takes for yes and no (assessment.scoring.values.YES_WORDS, NO_WORDS).
_YES = "('true', 'yes', 'y', '1', '是', '√', '✓', '✔')"
_NO = "('false', 'no', 'n', '0', '否', '×', '✗', '✘')"


def _fill(template: str, value: str) -> str:
    return template.replace("@", value)


def _count(key: str) -> str:
    """One category's votes: 0 when the key is absent, NULL (invalid) when not a whole number."""
    votes = _fill(_WHOLE, _fill(_NUM, f"(e.raw -> '{key}')"))
    return f"(CASE WHEN NOT (e.raw ? '{key}') THEN 0 ELSE {votes} END)"


# A value e.raw (JSON type e.t, number e.num, word e.word) of indicator i typed as the engine
# coerces it: NULL when missing or invalid, yes/no as 1/0; a veto too is read by its value type.
_X = f"""(CASE
        WHEN i.vtype = 'boolean' THEN CASE
            WHEN e.t = 'boolean' THEN CASE WHEN e.raw = 'true' THEN 1.0 ELSE 0.0 END
            WHEN e.t = 'number' AND e.num IN (0, 1) THEN e.num
            WHEN e.word IN {_YES} THEN 1.0
            WHEN e.word IN {_NO} THEN 0.0 END
        WHEN i.vtype = 'count' THEN
            CASE WHEN e.num >= 0 AND e.num = trunc(e.num) THEN e.num END
        WHEN i.vtype = 'percentage' THEN CASE WHEN e.num BETWEEN 0 AND 100 THEN e.num END
        WHEN i.vtype = 'number' THEN e.num
    END)"""

# The fraction of the weight a typed number @ earns under the rubric kind `rkind` with the
# parameters of row `i` (rubrics.linear, bands, yes_no; a formula is scored by its `then`); NULL
# when there is no usable value, which earns 0.
_FRACTION = """(CASE i.rkind
        WHEN 'linear' THEN LEAST(GREATEST((@ - i.floor) / (i.target - i.floor), 0), 1)
        WHEN 'bands' THEN i.fracs[width_bucket(i.sgn * @, i.lims)]
        WHEN 'yes_no' THEN CASE WHEN @ <> 0 THEN i.yes WHEN @ = 0 THEN i.no END
        WHEN 'deduction' THEN
            CASE WHEN @ IS NOT NULL THEN GREATEST(COALESCE(i.floor, 0), i.w - i.per * @) / i.w END
    END)"""

# The columns of a value row (the value v.raw of indicator i in submission s): whether the
# indicator applies to the subject's kind (one that does not is ignored), whether the value is
# "n/a" (not applicable), its JSON type, the number it reads as and the word it is (yes/no).
_VALUE = r"""v.submission_id AS sub, v.indicator_id AS ind,
           i.applies_to ? s.subject_kind::text AS applies,
           COALESCE(jsonb_typeof(v.raw) = 'string'
                    AND lower(btrim(v.raw #>> ARRAY[]::text[], E' \t\n\r\f')) = 'n/a'
                    AND i.applies_to ? s.subject_kind::text, false) AS na,
           v.raw, jsonb_typeof(v.raw) AS t, $NUM_RAW AS num,
           CASE WHEN jsonb_typeof(v.raw) = 'string'
                THEN lower(btrim(v.raw #>> ARRAY[]::text[], E' \t\n\r\f')) END AS word"""

# rubrics.appraisal over the votes e.raw: an object of known keys only, whole counts (a category
# left out is 0), voters > 0 and the counts adding up to them; Σ count × category weight ÷ voters,
# at most 1; else 0. (A CASE, as AND does not say which operand is evaluated first, and "-"
# fails on anything but an object.)
_VOTERS = _fill(_WHOLE, _fill(_NUM, "(e.raw -> 'voters')"))
_APPRAISAL = f"""(CASE
        WHEN e.t <> 'object' THEN 0
        WHEN e.raw - ARRAY['voters', 'excellent', 'competent', 'basic', 'incompetent']
             <> '{{}}'::jsonb THEN 0
        WHEN {_VOTERS} > 0
             AND {_count("excellent")} + {_count("competent")} + {_count("basic")}
                 + {_count("incompetent")} = {_VOTERS}
        THEN LEAST(1.0, ({_count("excellent")} * i.w_excellent
                         + {_count("competent")} * i.w_competent
                         + {_count("basic")} * i.w_basic
                         + {_count("incompetent")} * i.w_incompetent)
                        / {_VOTERS})
        ELSE 0 END)"""

# Every CTE of the statement, shared by FAITHFUL_SQL and SUBJECT_SQL (a CTE that the final SELECT
# does not use is never run). $NAME marks a fragment above, filled in by _sql(); $R6(x) and
# $R6X(x) round x to 6 decimals (_round6, _round6_exact).
_CTES = r"""
WITH RECURSIVE
-- The period's framework: total points, its subject kinds, grade and star bands as ascending
-- arrays of minima (for width_bucket: the best band reached is the one with the largest minimum
-- <= the score), the grades best first (a veto caps to a worse one) and the roll-up's own weight
-- (the framework code's saved settings, else the default 0.3).
fw AS (
    SELECT f.id AS framework,
           f.total_points AS tp,
           ARRAY(SELECT jsonb_array_elements(f.subject_kinds) ->> 'code') AS kinds,
           COALESCE(rs.own_weight, 0.3) AS ow,
           g.mins AS grade_mins, g.grades AS asc_grades, g.best AS grades,
           st.mins AS star_mins, st.stars AS asc_stars
    FROM assessment_period p
    JOIN assessment_framework f ON f.id = p.framework_id
    LEFT JOIN assessment_rollupsettings rs ON rs.framework_code = f.code
    CROSS JOIN LATERAL (
        SELECT array_agg((b ->> 'min')::float8 ORDER BY (b ->> 'min')::float8) AS mins,
               array_agg(b ->> 'grade' ORDER BY (b ->> 'min')::float8) AS grades,
               array_agg(b ->> 'grade' ORDER BY n) AS best
        FROM jsonb_array_elements(f.grade_bands) WITH ORDINALITY AS e (b, n)
    ) g
    CROSS JOIN LATERAL (
        SELECT array_agg((b ->> 'min')::float8 ORDER BY (b ->> 'min')::float8) AS mins,
               array_agg((b ->> 'stars')::int ORDER BY (b ->> 'min')::float8) AS stars
        FROM jsonb_array_elements(f.star_bands) AS e (b)
    ) st
    WHERE p.id = %(period)s
),
-- The framework's dimensions, and each dimension (top) with every dimension of its subtree.
dim AS (
    SELECT d.id, d.code::text COLLATE "C" AS code, d.parent_id
    FROM assessment_dimension d JOIN fw ON d.framework_id = fw.framework
),
dsub (top, id) AS (
    SELECT id, id FROM dim
    UNION ALL
    SELECT s.top, d.id FROM dsub s JOIN dim d ON d.parent_id = s.id
),
-- The framework's indicators with their rubric's parameters, read from the rubric JSON (a
-- formula's number is scored by its `then` rubric, so rkind and its parameters come from there):
-- band limits sorted ascending with their fractions (limits negated for direction 'lower', so
-- that "value <= max" becomes "-value >= -max"), appraisal category weights, veto caps (the cap
-- grade as its place among the grades, best first), a formula's two input codes, and the
-- indicator's "also" dimensions.
ind0 AS (
    SELECT i.id, i.code::text AS code, i.dimension_id AS dim, i.rubric_kind AS kind,
           i.value_type AS vtype, i.weight AS w, i.applies_to, i.target,
           -- the engine's order: entered indicators by position, then formulas
           i.position + CASE WHEN i.rubric_kind = 'formula' THEN 1000000 ELSE 0 END AS pos,
           i.rubric_kind IN ('linear', 'bands', 'yes_no', 'deduction', 'appraisal', 'formula')
               AS scored,
           r.r ->> 'kind' AS rkind,
           (r.r ->> 'floor')::float8 AS floor,
           COALESCE((r.r ->> 'yes')::float8, 1) AS yes,
           COALESCE((r.r ->> 'no')::float8, 0) AS no,
           (i.rubric ->> 'per')::float8 AS per,
           (i.rubric ->> 'cap')::float8 AS cap,
           bd.lims, bd.fracs, bd.sgn,
           COALESCE((i.rubric #>> '{weights,excellent}')::float8, 1.0) AS w_excellent,
           COALESCE((i.rubric #>> '{weights,competent}')::float8, 0.8) AS w_competent,
           COALESCE((i.rubric #>> '{weights,basic}')::float8, 0.5) AS w_basic,
           COALESCE((i.rubric #>> '{weights,incompetent}')::float8, 0.0) AS w_incompetent,
           array_position(fw.grades, COALESCE(i.rubric ->> 'cap_grade', 'D')) AS cap_grade,
           COALESCE((i.rubric ->> 'cap_stars')::int, 1) AS cap_stars,
           m.refs[1] AS ref_a,  -- the condition and divisor: if(A > 0, min(100, B / A * 100), 0)
           m.refs[2] AS ref_b,  -- the dividend
           COALESCE(
               (SELECT array_agg(a.dimension_id ORDER BY a.dimension_id)
                FROM assessment_indicator_also a WHERE a.indicator_id = i.id),
               '{}'
           ) AS also
    FROM assessment_indicator i
    JOIN fw ON i.framework_id = fw.framework
    CROSS JOIN LATERAL (
        SELECT CASE WHEN i.rubric_kind = 'formula' THEN i.rubric -> 'then' ELSE i.rubric END AS r
    ) r
    CROSS JOIN LATERAL (
        SELECT array_agg(x.lim ORDER BY x.lim) AS lims,
               array_agg(x.fraction ORDER BY x.lim) AS fracs,
               min(x.sgn) AS sgn
        FROM jsonb_array_elements(COALESCE(r.r -> 'bands', '[]')) AS b
        CROSS JOIN LATERAL (
            SELECT CASE i.direction WHEN 'lower' THEN -1.0 ELSE 1.0 END AS sgn
        ) s
        CROSS JOIN LATERAL (
            SELECT s.sgn * COALESCE(b ->> 'min', b ->> 'max')::float8 AS lim,
                   (b ->> 'fraction')::float8 AS fraction, s.sgn
        ) x
    ) bd
    LEFT JOIN LATERAL (
        SELECT regexp_match(
            i.rubric ->> 'expr',
            '^\s*if\(\s*([A-Za-z][A-Za-z0-9._]*)\s*>\s*0\s*,\s*min\(\s*100\s*,\s*'
            '([A-Za-z][A-Za-z0-9._]*)\s*/\s*\1\s*\*\s*100\s*\)\s*,\s*0\s*\)\s*$'
        ) AS refs
    ) m ON i.rubric_kind = 'formula'
),
-- Indicators sharing an own dimension and "also" dimensions count toward the same dimensions
-- in the same way: they form a signature (sig), and values are summed per signature first.
ind AS (
    SELECT i.*,
           dense_rank() OVER (ORDER BY i.dim, i.also) AS sig,
           i.code IN (SELECT ref_a FROM ind0 WHERE ref_a IS NOT NULL
                      UNION SELECT ref_b FROM ind0 WHERE ref_b IS NOT NULL) AS is_input
    FROM ind0 i
),
-- The dimensions each signature counts toward: prim when its own dimension lies in the
-- dimension's subtree, else as an "also" indicator (an also-dimension lies in the subtree); and
-- every signature toward the pseudo-dimension '' whose points are the subject's base.
sigdim AS (
    SELECT s.sig, d.code AS d, bool_or(t.id = s.dim) AS prim
    FROM (SELECT DISTINCT sig, dim, also FROM ind) s
    JOIN dsub t ON t.id = s.dim OR t.id = ANY (s.also)
    JOIN dim d ON d.id = t.top
    GROUP BY s.sig, d.code
    UNION ALL
    SELECT DISTINCT sig, '' COLLATE "C", true FROM ind
),
-- The period's organization submissions (the roll-up's subjects); counted: approved or locked,
-- and of a subject kind the framework has (the scoring skips the others: they count as missing).
sub AS NOT MATERIALIZED (
    SELECT s.id, s.organization_id AS org, s.subject_kind::text AS kind,
           s.state IN ('approved', 'locked')
               AND s.subject_kind::text = ANY ((SELECT kinds FROM fw)::text[]) AS counted
    FROM assessment_submission s
    WHERE s.period_id = %(period)s AND s.subject_unit = 'organization'
),
kinds AS (SELECT DISTINCT kind FROM sub),
-- The engine's plan per subject kind. Its sums are made as the engine makes them, indicator by
-- indicator in its order (ORDER BY pos: float additions depend on their order): the applicable
-- indicators (ik); the re-normalisation groups (own dimensions) with their weight; the kind's
-- scale when nothing is re-normalised (total_points / the weight of every group, in the order of
-- the groups' first indicators); each dimension's maxima (weights of its primary and its also
-- indicators).
ik AS (
    SELECT k.kind AS skind, i.*
    FROM ind i
    CROSS JOIN LATERAL jsonb_array_elements_text(i.applies_to) AS a (kind)
    JOIN kinds k ON k.kind = a.kind
),
kgrp AS (
    SELECT skind, dim, sum(w ORDER BY pos) AS gw, min(pos) AS first
    FROM ik WHERE scored GROUP BY skind, dim
),
kplan AS (
    SELECT k.kind AS skind, COALESCE(fw.tp / NULLIF(sum(g.gw ORDER BY g.first), 0), 0) AS scale0
    FROM kinds k CROSS JOIN fw LEFT JOIN kgrp g ON g.skind = k.kind
    GROUP BY k.kind, fw.tp
),
kdim AS (
    SELECT i.skind, sd.d,
           COALESCE(sum(i.w ORDER BY i.pos) FILTER (WHERE sd.prim), 0) AS top,
           COALESCE(sum(i.w ORDER BY i.pos) FILTER (WHERE NOT sd.prim), 0) AS also_top
    FROM ik i JOIN sigdim sd ON sd.sig = i.sig AND sd.d <> ''
    WHERE i.scored
    GROUP BY i.skind, sd.d
),
-- Every entered value of the counted subjects, converted once (_VALUE: whether its indicator
-- applies to the subject's kind, whether it is "n/a", its JSON type, the number it reads as and
-- the word it is). OFFSET 0 keeps it a subquery of its own.
val AS (
    SELECT $VALUE
    FROM (
        SELECT submission_id, indicator_id, COALESCE(reviewed_value, value) AS raw
        FROM assessment_indicatorvalue
    ) v
    JOIN assessment_submission s ON s.id = v.submission_id
    JOIN ind i ON i.id = v.indicator_id
    WHERE s.period_id = %(period)s AND s.subject_unit = 'organization'
      AND s.state IN ('approved', 'locked')
      AND s.subject_kind::text = ANY ((SELECT kinds FROM fw)::text[])
    OFFSET 0
),
-- What each entered value (but formulas': they are computed) brings, typed as the engine coerces
-- it (_X): a scored indicator's points at its own weight (weight × fraction, to be multiplied by
-- the re-normalisation factor) or, when "n/a", its weight; a bonus's points (rubrics.bonus); a
-- triggered veto's caps (true or a count above 0). OFFSET 0: the aggregate below then sorts or
-- hashes these few columns only.
contrib AS (
    SELECT e.sub, i.sig, i.dim, e.na,
           CASE WHEN i.scored AND e.applies AND NOT e.na THEN i.w * $SCORED_FRACTION END AS fw,
           CASE WHEN i.scored AND e.na THEN i.w END AS na_w,
           CASE WHEN i.kind = 'bonus' AND e.applies AND NOT e.na THEN $BONUS END AS bonus,
           CASE WHEN i.kind = 'veto' AND e.applies AND NOT e.na AND $X > 0 THEN i.cap_grade END
               AS cap_grade,
           CASE WHEN i.kind = 'veto' AND e.applies AND NOT e.na AND $X > 0 THEN i.cap_stars END
               AS cap_stars
    FROM val e
    JOIN ind i ON i.id = e.ind
    WHERE i.kind <> 'formula'
    OFFSET 0
),
-- Per subject and signature: the points at the indicators' own weights, the weight and number of
-- the scored indicators not applicable, whether anything is not applicable, the bonus points and
-- the vetoes' caps.
agg AS (
    SELECT sub, sig, min(dim) AS dim, sum(fw) AS fw, COALESCE(sum(na_w), 0) AS na_w,
           count(na_w) AS na_n, bool_or(na) AS any_na, sum(bonus) AS bonus,
           max(cap_grade) AS cap_grade, min(cap_stars) AS cap_stars
    FROM contrib
    GROUP BY sub, sig
),
-- Formulas: the entered values of their inputs and of the formula indicators themselves (an
-- "n/a" entered for a formula makes it not applicable; any other entered value is ignored),
-- typed as formulas see them (numbers, yes/no as 1/0; NULL when missing or invalid).
fin AS (
    SELECT v.submission_id AS sub, i.id AS ind, i.code,
           jsonb_typeof(v.raw) = 'string'
               AND lower(btrim(v.raw #>> ARRAY[]::text[], E' \t\n\r\f')) = 'n/a' AS na,
           CASE
               WHEN i.vtype = 'boolean' THEN CASE
                   WHEN jsonb_typeof(v.raw) = 'boolean'
                       THEN CASE WHEN v.raw = 'true' THEN 1.0 ELSE 0.0 END
                   WHEN jsonb_typeof(v.raw) = 'number' AND $NUM_RAW IN (0, 1) THEN $NUM_RAW
                   WHEN lower(btrim(v.raw #>> ARRAY[]::text[], E' \t\n\r\f')) IN $YES THEN 1.0
                   WHEN lower(btrim(v.raw #>> ARRAY[]::text[], E' \t\n\r\f')) IN $NO THEN 0.0
               END
               WHEN i.vtype = 'count' THEN $WHOLE_RAW
               WHEN i.vtype = 'percentage' THEN
                   CASE WHEN $NUM_RAW BETWEEN 0 AND 100 THEN $NUM_RAW END
               WHEN i.vtype = 'number' THEN $NUM_RAW
           END AS x
    FROM (
        SELECT submission_id, indicator_id, COALESCE(reviewed_value, value) AS raw
        FROM assessment_indicatorvalue
    ) v
    JOIN sub s ON s.id = v.submission_id AND s.counted
    JOIN ind i ON i.id = v.indicator_id
    WHERE (i.is_input OR i.kind = 'formula') AND i.applies_to ? s.kind
),
-- Each formula of each counted subject: not applicable when it or an input is "n/a"; else the
-- computed value, if(A > 0, min(100, B / A * 100), 0) (NULL, so 0 points, when A is missing, or
-- B is and A > 0), and the fraction its `then` rubric gives it.
fitem AS (
    SELECT s.id AS sub, i.id AS ind, i.sig, i.dim, i.pos, i.w, f.na,
           COALESCE($FRACTION_F, 0) AS frac
    FROM sub s
    JOIN ind i ON i.kind = 'formula' AND i.applies_to ? s.kind
    LEFT JOIN fin a ON a.sub = s.id AND a.code = i.ref_a
    LEFT JOIN fin b ON b.sub = s.id AND b.code = i.ref_b
    LEFT JOIN fin o ON o.sub = s.id AND o.ind = i.id
    CROSS JOIN LATERAL (
        SELECT COALESCE(a.na, false) OR COALESCE(b.na, false) OR COALESCE(o.na, false) AS na,
               CASE WHEN a.x > 0 THEN CASE WHEN b.x IS NOT NULL
                                           THEN LEAST(100, b.x / a.x * 100) END
                    WHEN a.x IS NOT NULL THEN 0 END AS value
    ) f
    WHERE s.counted
),
-- Everything per subject and signature: the entered values' sums and the formulas'.
parts AS (
    SELECT * FROM agg
    UNION ALL
    SELECT sub, sig, dim,
           sum(w * frac) FILTER (WHERE NOT na), COALESCE(sum(w) FILTER (WHERE na), 0),
           count(*) FILTER (WHERE na), bool_or(na), NULL::float8, NULL::int, NULL::int
    FROM fitem
    GROUP BY sub, sig, dim
),
-- Per counted subject: its kind's scale, whether anything is not applicable (re-normalised),
-- the bonus points and the vetoes' caps.
subj AS (
    SELECT s.id AS sub, s.org, s.kind, k.scale0,
           COALESCE(a.renorm, false) AS renorm, COALESCE(a.bonus, 0) AS bonus,
           a.cap_grade, a.cap_stars
    FROM sub s
    JOIN kplan k ON k.skind = s.kind
    LEFT JOIN (
        SELECT sub, bool_or(any_na) AS renorm, sum(bonus) AS bonus,
               max(cap_grade) AS cap_grade, min(cap_stars) AS cap_stars
        FROM parts GROUP BY sub
    ) a ON a.sub = s.id
    WHERE s.counted
),
-- Re-normalisation, for the subjects with something not applicable only: what is not applicable
-- (entered "n/a", formulas whose inputs or themselves are), then every applicable scored
-- indicator with its absence.
rabs AS (
    SELECT v.submission_id AS sub, v.indicator_id AS ind
    FROM subj j
    JOIN assessment_indicatorvalue v ON v.submission_id = j.sub
    WHERE j.renorm
      AND jsonb_typeof(COALESCE(v.reviewed_value, v.value)) = 'string'
      AND lower(btrim(COALESCE(v.reviewed_value, v.value) #>> ARRAY[]::text[],
                      E' \t\n\r\f')) = 'n/a'
    UNION
    SELECT sub, ind FROM fitem WHERE na
),
ritem AS (
    SELECT j.sub, i.id AS ind, i.dim, i.sig, i.w, i.pos, a.ind IS NOT NULL AS absent
    FROM subj j
    JOIN ik i ON i.skind = j.kind AND i.scored
    LEFT JOIN rabs a ON a.sub = j.sub AND a.ind = i.id
    WHERE j.renorm
),
-- Per own dimension (group): its weight and the weight that applies. A group where nothing
-- applies drops out; the others keep their weight, spread over what applies (local factor
-- weight / applicable); and every indicator is scaled so that the weight kept makes
-- total_points (rscale). factor = local × scale.
rgrp AS (
    SELECT sub, dim, sum(w ORDER BY pos) AS gw, min(pos) AS first,
           COALESCE(sum(w ORDER BY pos) FILTER (WHERE NOT absent), 0) AS applicable
    FROM ritem GROUP BY sub, dim
),
rscale AS (
    SELECT g.sub,
           COALESCE(fw.tp / NULLIF(sum(g.gw ORDER BY g.first) FILTER (WHERE g.applicable > 0),
                                   0), 0) AS scale
    FROM rgrp g CROSS JOIN fw
    GROUP BY g.sub, fw.tp
),
rfac AS (
    SELECT g.sub, g.dim,
           CASE WHEN g.applicable > 0 AND g.applicable <> g.gw THEN g.gw / g.applicable ELSE 1
           END * r.scale AS factor
    FROM rgrp g JOIN rscale r ON r.sub = g.sub
),
-- A re-normalised subject's dimension maxima: Σ weight × factor over the scored indicators that
-- apply, in the engine's order.
rtop AS (
    SELECT r.sub, sd.d,
           COALESCE(sum(r.w * f.factor ORDER BY r.pos)
                        FILTER (WHERE sd.prim AND NOT r.absent), 0) AS top,
           COALESCE(sum(r.w * f.factor ORDER BY r.pos)
                        FILTER (WHERE NOT sd.prim AND NOT r.absent), 0) AS also_top
    FROM ritem r
    JOIN rfac f ON f.sub = r.sub AND f.dim = r.dim
    JOIN sigdim sd ON sd.sig = r.sig AND sd.d <> ''
    GROUP BY r.sub, sd.d
),
-- Points per subject and dimension (primary and also), at the re-normalised weights; '' holds
-- the base (every scored indicator). Values are summed per signature first, so the last bits
-- may differ from the engine's sums: see xdim.
sdim AS (
    SELECT p.sub, sd.d,
           sum(p.points) FILTER (WHERE sd.prim) AS points,
           sum(p.points) FILTER (WHERE NOT sd.prim) AS also_points
    FROM (
        SELECT p.sub, p.sig, p.fw * COALESCE(f.factor, j.scale0) AS points
        FROM parts p
        JOIN subj j ON j.sub = p.sub
        LEFT JOIN rfac f ON f.sub = p.sub AND f.dim = p.dim
        WHERE p.fw IS NOT NULL
        OFFSET 0
    ) p
    JOIN sigdim sd ON sd.sig = p.sig
    GROUP BY p.sub, sd.d
),
-- Each subject's total (base + bonus) and each dimension's share (points / maxima, none when the
-- maxima are 0), before rounding.
share AS (
    SELECT j.sub, ''::text COLLATE "C" AS d, COALESCE(sd.points, 0) + j.bonus AS x
    FROM subj j LEFT JOIN sdim sd ON sd.sub = j.sub AND sd.d = ''
    UNION ALL
    SELECT j.sub, kd.d, (COALESCE(sd.points, 0) + COALESCE(sd.also_points, 0)) / m.whole
    FROM subj j
    JOIN kdim kd ON kd.skind = j.kind
    LEFT JOIN sdim sd ON sd.sub = j.sub AND sd.d = kd.d
    LEFT JOIN rtop rt ON rt.sub = j.sub AND rt.d = kd.d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN j.renorm THEN COALESCE(rt.top + rt.also_top, 0)
                    ELSE kd.top + kd.also_top END AS whole
    ) m
    WHERE m.whole > 0
),
-- The subjects with a total or a share within float noise of a rounding half (…5 in the 7th
-- decimal): there the order of the additions decides which way round(x, 6) goes, so their sums
-- are made again exactly as the engine makes them, value by value in its order: each scored
-- indicator's points fraction × (weight × factor), and the bonus points.
xsub AS (
    SELECT DISTINCT sub FROM share
    WHERE abs(x * 1e6::float8 - floor(x * 1e6::float8) - 0.5) < 1e-6
),
xitem AS (
    SELECT e.sub, i.sig, i.pos,
           CASE WHEN i.scored
                THEN $SCORED_FRACTION * (i.w * COALESCE(f.factor, j.scale0)) END AS points,
           CASE WHEN i.kind = 'bonus' THEN $BONUS END AS bonus
    FROM (
        SELECT $VALUE
        FROM xsub x
        JOIN (
            SELECT submission_id, indicator_id, COALESCE(reviewed_value, value) AS raw
            FROM assessment_indicatorvalue
        ) v ON v.submission_id = x.sub
        JOIN assessment_submission s ON s.id = v.submission_id
        JOIN ind i ON i.id = v.indicator_id
        OFFSET 0
    ) e
    JOIN ind i ON i.id = e.ind
    JOIN subj j ON j.sub = e.sub
    LEFT JOIN rfac f ON f.sub = e.sub AND f.dim = i.dim
    WHERE i.kind <> 'formula' AND e.applies AND NOT e.na
    UNION ALL
    SELECT t.sub, t.sig, t.pos, t.frac * (t.w * COALESCE(f.factor, j.scale0)), NULL
    FROM fitem t
    JOIN xsub x ON x.sub = t.sub
    JOIN subj j ON j.sub = t.sub
    LEFT JOIN rfac f ON f.sub = t.sub AND f.dim = t.dim
    WHERE NOT t.na
),
xdim AS (
    SELECT x.sub, sd.d,
           sum(x.points ORDER BY x.pos) FILTER (WHERE sd.prim) AS points,
           sum(x.points ORDER BY x.pos) FILTER (WHERE NOT sd.prim) AS also_points,
           sum(x.bonus ORDER BY x.pos) FILTER (WHERE sd.d = '') AS bonus
    FROM xitem x JOIN sigdim sd ON sd.sig = x.sig
    GROUP BY x.sub, sd.d
),
-- Each counted subject's total (base + bonus, rounded as stored), and its grade and stars from
-- the total rounded to 6 decimals, lowered to every triggered veto's caps (none when nothing
-- applies: no weight kept).
subject AS (
    SELECT j.sub, j.org, j.kind, t.total, j.bonus,
           CASE WHEN NOT t.kept THEN NULL
                WHEN j.cap_grade IS NULL OR g.grade IS NULL OR g.stars IS NULL THEN g.grade
                ELSE fw.grades[GREATEST(array_position(fw.grades, g.grade), j.cap_grade)]
           END AS grade,
           CASE WHEN NOT t.kept THEN NULL
                WHEN j.cap_grade IS NULL OR g.grade IS NULL OR g.stars IS NULL THEN g.stars
                ELSE LEAST(g.stars, j.cap_stars)
           END AS stars
    FROM subj j
    CROSS JOIN fw
    JOIN share a ON a.sub = j.sub AND a.d = ''
    LEFT JOIN xdim x ON x.sub = j.sub AND x.d = ''
    LEFT JOIN rscale r ON r.sub = j.sub
    CROSS JOIN LATERAL (
        SELECT CASE WHEN x.sub IS NULL THEN a.x
                    ELSE COALESCE(x.points, 0) + COALESCE(x.bonus, 0) END AS x,
               CASE WHEN j.renorm THEN r.scale > 0 ELSE j.scale0 > 0 END AS kept
    ) q
    CROSS JOIN LATERAL (SELECT $R6X(q.x) AS total, q.kept) t
    CROSS JOIN LATERAL (
        SELECT fw.asc_grades[width_bucket(t.total, fw.grade_mins)] AS grade,
               fw.asc_stars[width_bucket(t.total, fw.star_mins)] AS stars
    ) g
),
-- Each organization's own scores as the roll-up reads them: a counted subject's total and its
-- dimensions' shares (rounded to 6 decimals as stored) × total_points, rounded; a subject
-- expected but not counted (and no counted one for the organization) is 0 for the total and
-- each dimension its kind is scored on.
own AS (
    SELECT j.org, ''::text COLLATE "C" AS d, j.total AS own
    FROM subject j
    UNION ALL
    SELECT j.org, a.d, $R6($R6X(m.share) * fw.tp)
    FROM share a
    JOIN subj j ON j.sub = a.sub
    CROSS JOIN fw
    LEFT JOIN xsub xs ON xs.sub = a.sub
    LEFT JOIN xdim x ON x.sub = xs.sub AND x.d = a.d
    LEFT JOIN kdim kd ON kd.skind = j.kind AND kd.d = a.d
    LEFT JOIN rtop rt ON rt.sub = a.sub AND rt.d = a.d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN x.sub IS NULL THEN a.x
                    ELSE (COALESCE(x.points, 0) + COALESCE(x.also_points, 0))
                         / CASE WHEN j.renorm THEN rt.top + rt.also_top
                                ELSE kd.top + kd.also_top END
               END AS share
    ) m
    WHERE a.d <> ''
    UNION ALL
    SELECT z.org, z.d, 0.0::float8
    FROM (
        SELECT s.org, ''::text COLLATE "C" AS d FROM sub s WHERE NOT s.counted
        UNION
        SELECT s.org, kd.d FROM sub s JOIN kdim kd ON kd.skind = s.kind
        WHERE NOT s.counted AND kd.top + kd.also_top > 0
    ) z
    WHERE NOT EXISTS (SELECT 1 FROM sub c WHERE c.org = z.org AND c.counted)
),
-- Organizations: parent, depth, kind and root (the first id of the path '/1/2/…/').
org AS (
    SELECT o.id, o.parent_id AS parent, o.depth, k.code::text COLLATE "C" AS kind,
           split_part(o.path, '/', 2)::bigint AS root
    FROM organizations_organization o
    JOIN organizations_organizationkind k ON k.id = o.kind_id
),
-- Every (ancestor, descendant) pair, itself included, by the path index.
closure AS (
    SELECT a.id AS anc, d.id AS org
    FROM organizations_organization a
    JOIN organizations_organization d ON d.path ~>=~ a.path AND d.path ~<~ (a.path || '~')
),
-- The dimensions each organization has an own score in.
odims AS (
    SELECT org, array_agg(d) AS dims FROM own GROUP BY org
),
-- Pairs (organization, dimension) without an own score but with one below them. Each lies on
-- the path above a "seed": an organization without an own score in a dimension where one of its
-- children has one (found by comparing each child's dimensions with its parent's); the pairs are
-- the seeds' ancestors (themselves included) without an own score there.
up AS (
    SELECT DISTINCT c.anc AS org, s.d
    FROM (
        SELECT o.parent AS org, x.d
        FROM odims k
        JOIN org o ON o.id = k.org
        LEFT JOIN odims p ON p.org = o.parent
        CROSS JOIN LATERAL unnest(k.dims) AS x (d)
        WHERE o.parent IS NOT NULL
          AND NOT k.dims <@ COALESCE(p.dims, '{}')
          AND x.d <> ALL (COALESCE(p.dims, '{}'))
    ) s
    JOIN closure c ON c.org = s.org
    LEFT JOIN odims a ON a.org = c.anc
    WHERE s.d <> ALL (COALESCE(a.dims, '{}'))
),
-- Each organization's number of children, and the dimensions it has a score in (an own score or
-- one below).
kids AS (
    SELECT parent AS org, count(*) AS n FROM org WHERE parent IS NOT NULL GROUP BY parent
),
hdims AS (
    SELECT COALESCE(o.org, u.org) AS org, COALESCE(o.dims, '{}') || COALESCE(u.dims, '{}') AS dims
    FROM odims o
    FULL JOIN (SELECT org, array_agg(d) AS dims FROM up GROUP BY org) u ON u.org = o.org
),
-- (organization, dimension) pairs with children that have no score there (a child's
-- dimensions not all among its parent's), and how many such children.
lack AS (
    SELECT o.parent AS org, x.d, count(*) AS n
    FROM org o
    JOIN hdims p ON p.org = o.parent
    LEFT JOIN hdims c ON c.org = o.id
    CROSS JOIN LATERAL unnest(p.dims) AS x (d)
    WHERE NOT p.dims <@ COALESCE(c.dims, '{}') AND x.d <> ALL (COALESCE(c.dims, '{}'))
    GROUP BY o.parent, x.d
),
-- Every pair with a score (an own score or one below), with its own score, number of children
-- with a score (nc), own share g (0 without an own score, the own weight with children too,
-- else 1) and the factor f = (1 − g) / nc that each child's score gets in its score; regular
-- when f is the organization's usual factor f0 = (1 − own weight) / its number of children (an
-- own score, and every child has a score).
node AS (
    SELECT h.org, h.d, h.own, n.nc, g.g,
           CASE WHEN n.nc > 0 THEN (1 - g.g) / n.nc END AS f,
           h.own IS NOT NULL AND COALESCE(l.n, 0) = 0 AS regular
    FROM (SELECT org, d, own FROM own UNION ALL SELECT org, d, NULL FROM up) h
    CROSS JOIN fw
    LEFT JOIN kids k ON k.org = h.org
    LEFT JOIN lack l ON l.org = h.org AND l.d = h.d
    CROSS JOIN LATERAL (SELECT COALESCE(k.n, 0) - COALESCE(l.n, 0) AS nc) n
    CROSS JOIN LATERAL (
        SELECT CASE WHEN h.own IS NULL THEN 0 WHEN n.nc > 0 THEN fw.ow ELSE 1 END AS g
    ) g
),
-- P(x): the product of f over x's strict ancestors (1 at the roots); the weight of x's own score
-- in an ancestor a's score is then own share(x) × P(x) / P(a). P = P0 × C: P0 the product of the
-- usual factors f0 (per organization), C the product of f / f0 over the irregular ancestors
-- (few), both as exp(Σ ln) over the path index's (ancestor, descendant) pairs.
walk AS (
    SELECT n.org, n.d, n.own, n.nc, n.g,
           COALESCE(p0.p, 1) * COALESCE(exp(c.l), 1) AS p
    FROM node n
    LEFT JOIN (
        SELECT c.org, exp(sum(ln((1 - fw.ow) / k.n))) AS p
        FROM closure c JOIN kids k ON k.org = c.anc CROSS JOIN fw
        WHERE c.anc <> c.org
        GROUP BY c.org
    ) p0 ON p0.org = n.org
    LEFT JOIN (
        SELECT c.org, x.d, sum(ln(x.f / ((1 - fw.ow) / k.n))) AS l
        FROM node x
        JOIN kids k ON k.org = x.org
        CROSS JOIN fw
        JOIN closure c ON c.anc = x.org AND c.org <> x.org
        WHERE NOT x.regular AND x.f IS NOT NULL
        GROUP BY c.org, x.d
    ) c ON c.org = n.org AND c.d = n.d
),
-- score(a) = Σ over a's subtree of own × own share × P, divided by P(a).
sums AS (
    SELECT c.anc AS org, w.d, sum(w.own * w.g * w.p) AS s
    FROM closure c JOIN walk w ON w.org = c.org
    WHERE w.own IS NOT NULL
    GROUP BY c.anc, w.d
),
-- Members (active party members), expected submissions (the organization's own, whatever their
-- state) and approved ones (a counted, so scored, own submission) over each subtree.
stat AS (
    SELECT c.anc AS org, sum(COALESCE(p.n, 0)) AS members, sum(COALESCE(x.n, 0)) AS expected,
           count(a.org) AS approved
    FROM closure c
    LEFT JOIN (
        SELECT organization_id, count(*) AS n
        FROM organizations_person
        WHERE kind IN ('member', 'probationary') AND status = 'active'
        GROUP BY organization_id
    ) p ON p.organization_id = c.org
    LEFT JOIN (SELECT org, count(*) AS n FROM sub GROUP BY org) x ON x.org = c.org
    LEFT JOIN (SELECT DISTINCT org FROM subject) a ON a.org = c.org
    GROUP BY c.anc
),
-- The rows: every pair with a score (children's mean = (score − g·own) / (1 − g)), and the
-- total of every organization (without a score when nothing in its subtree has one).
rollup AS (
    SELECT c.org, c.d, o.parent, o.root, o.kind, o.depth, c.own, c.score, c.children_score
    FROM (
        SELECT w.org, w.d, w.own,
               $R6(s.s / w.p) AS score,
               CASE WHEN w.nc > 0
                    THEN $R6((s.s / w.p - w.g * COALESCE(w.own, 0)) / (1 - w.g)) END
                   AS children_score
        FROM walk w JOIN sums s ON s.org = w.org AND s.d = w.d
        UNION ALL
        SELECT o.id, '' COLLATE "C", NULL, NULL, NULL
        FROM org o
        WHERE NOT EXISTS (SELECT 1 FROM own w WHERE w.org = o.id AND w.d = '')
          AND NOT EXISTS (SELECT 1 FROM up u WHERE u.org = o.id AND u.d = '')
    ) c
    JOIN org o ON o.id = c.org
)
"""

# One row per (organization, dimension), as `assessment_rollup` stores them (grade NULL where
# the table has ''); subject_grade and subject_stars are the organization's own submission's
# (veto caps applied), on its total row.
_FINAL = """
SELECT r.org AS organization,
       r.d AS dimension,
       r.score,
       r.own AS own_score,
       r.children_score,
       st.members::int AS members,
       st.expected::int AS expected,
       st.approved::int AS approved,
       CASE WHEN st.expected > 0
            THEN $R6X(st.approved::float8 / st.expected) END AS completeness,
       r.rank_siblings,
       r.rank_peers,
       fw.asc_grades[width_bucket(r.score, fw.grade_mins)] AS grade,
       fw.asc_stars[width_bucket(r.score, fw.star_mins)] AS stars,
       j.grade AS subject_grade,
       j.stars AS subject_stars
FROM (
    -- Competition ranks (rank(): 1, 2, 2, 4) over the scores, best first, among siblings (the
    -- children of one parent, the roots among themselves) and among peers (same root, kind and
    -- depth), per dimension; none without a score.
    SELECT r.org, r.d, r.own, r.score, r.children_score,
           CASE WHEN r.score IS NOT NULL THEN rank() OVER (
               PARTITION BY r.parent, r.d ORDER BY r.score DESC NULLS LAST) END AS rank_siblings,
           CASE WHEN r.score IS NOT NULL THEN rank() OVER (
               PARTITION BY r.root, r.kind, r.depth, r.d ORDER BY r.score DESC NULLS LAST)
           END AS rank_peers
    FROM rollup r
) r
CROSS JOIN fw
JOIN stat st ON st.org = r.org
LEFT JOIN subject j ON j.org = r.org AND r.d = ''
"""

_SUBJECT_FINAL = """
SELECT j.sub AS submission, j.org AS organization, j.total, j.bonus, j.grade, j.stars,
       jsonb_object_agg(w.d, w.own) FILTER (WHERE w.d <> '') AS dimensions
FROM subject j
LEFT JOIN own w ON w.org = j.org
GROUP BY j.sub, j.org, j.total, j.bonus, j.grade, j.stars
"""


def _round6(inner: str) -> str:
    """round(x, 6) in float8: the nearest double to x × 1e6 rounded to an integer, ÷ 1e6."""
    return f"(round(({inner}) * 1e6::float8) / 1e6::float8)"


def _round6_exact(inner: str) -> str:
    """round(x, 6) exactly as Python rounds a float: x rounded as the exact binary value it is.

    p = x × 1e6 is rounded to a double; when p lands exactly on a half (k + 0.5), the exact
    product may lie on either side, and the sign of the rounding error decides. The error is
    exact (Dekker's two-product: x split into two halves of 26 bits by Veltkamp's method, each
    times 1e6 exact); when it is 0 the tie is real and goes to the even integer, as in Python.
    Elsewhere round(p) (to nearest) is already right.
    """
    x = f"({inner})"
    p = f"({x} * 1e6::float8)"
    high = f"(134217729::float8 * {x} - (134217729::float8 * {x} - {x}))"
    error = f"(({high} * 1e6::float8 - {p}) + ({x} - {high}) * 1e6::float8)"
    return (
        f"(CASE WHEN {p} - floor({p}) <> 0.5 THEN round({p})"
        f" WHEN {error} > 0 THEN floor({p}) + 1"
        f" WHEN {error} < 0 THEN floor({p})"
        f" ELSE round({p}) END / 1e6::float8)"
    )


def _expand(text: str, token: str, expand) -> str:
    """Each token(x) in text (x with balanced brackets) becomes expand(x)."""
    while (start := text.find(token + "(")) >= 0:
        depth, end = 0, start + len(token)
        for end in range(start + len(token), len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        inner = text[start + len(token) + 1 : end]
        text = text[:start] + expand(inner) + text[end + 1 :]
    return text


def _sql(final: str) -> str:
    """_CTES and `final` with their fragments filled in."""
    fragments = {
        "$VALUE": _VALUE,
        "$SCORED_FRACTION": "COALESCE(CASE WHEN i.kind = 'appraisal' THEN $APPRAISAL "
        "ELSE $FRACTION_X END, 0)",
        "$BONUS": "CASE WHEN $X IS NOT NULL THEN LEAST(i.cap, i.per * $X) END",
        "$APPRAISAL": _APPRAISAL,
        "$FRACTION_X": _fill(_FRACTION, _X),
        "$X": _X,
        "$FRACTION_F": _fill(_FRACTION, "f.value"),
        "$WHOLE_RAW": _fill(_WHOLE, _fill(_NUM, "v.raw")),
        "$NUM_RAW": _fill(_NUM, "v.raw"),
        "$YES": _YES,
        "$NO": _NO,
    }
    text = _CTES + final
    assert not re.search(r"--[^\n]*\$[A-Z]", text), "a fragment named in a comment"
    for token, fragment in fragments.items():
        text = text.replace(token, fragment)
    text = _expand(_expand(text, "$R6X", _round6_exact), "$R6", _round6)
    assert re.search(r"\$[A-Z]", text) is None, "a fragment was not filled in"
    return text


# ONE statement, parameter %(period)s: the period's roll-up rows (see the module docstring).
FAITHFUL_SQL = _sql(_FINAL)
# The same CTEs, returning each counted organization submission's own scores (for checks).
SUBJECT_SQL = _sql(_SUBJECT_FINAL)


# -- verification ---------------------------------------------------------------------------

# The statement's rows against the stored ones, FULL JOINed on (organization, dimension). A rank
# that differs is put down to a tie when another row of its group (siblings: same parent; peers:
# same root, kind and depth; same dimension) has a score within TIE of its score, stored or ours.
_VERIFY_SQL = f"""
WITH f AS ({FAITHFUL_SQL}),
s AS (SELECT * FROM assessment_rollup WHERE period_id = %(period)s),
o AS (
    SELECT o.id, o.parent_id AS parent, o.depth, o.kind_id AS kind,
           split_part(o.path, '/', 2) AS root
    FROM organizations_organization o
),
j AS (
    SELECT COALESCE(f.organization, s.organization_id) AS org,
           COALESCE(f.dimension, s.dimension) AS d,
           f.organization IS NOT NULL AS in_sql, s.id IS NOT NULL AS in_stored,
           f.score, s.score AS stored_score, f.own_score, s.own_score AS stored_own,
           f.children_score, s.children_score AS stored_children,
           f.completeness, s.completeness AS stored_completeness,
           f.members, s.members AS stored_members, f.expected, s.expected AS stored_expected,
           f.approved, s.approved AS stored_approved,
           f.rank_siblings, s.rank_siblings AS stored_rank_siblings,
           f.rank_peers, s.rank_peers AS stored_rank_peers,
           COALESCE(f.grade, '') AS grade, s.grade AS stored_grade,
           f.stars, s.stars AS stored_stars,
           f.subject_grade, f.subject_stars,
           ss.id IS NOT NULL AS has_subject, ss.total AS stored_total,
           ss.grade AS stored_subject_grade, ss.stars AS stored_subject_stars
    FROM f
    FULL JOIN s ON s.organization_id = f.organization AND s.dimension = f.dimension
    LEFT JOIN assessment_subjectscore ss
      ON ss.organization_id = f.organization AND f.dimension = ''
         AND ss.period_id = %(period)s AND ss.subject_unit = 'organization'
),
ties AS (
    SELECT j.*,
           __SIBLING_TIE__ AS sibling_tie,
           __PEER_TIE__ AS peer_tie
    FROM j JOIN o ON o.id = j.org
)
SELECT count(*) FILTER (WHERE in_sql) AS rows_sql,
       count(*) FILTER (WHERE in_stored) AS rows_stored,
       count(*) FILTER (WHERE in_sql AND in_stored) AS compared,
       count(*) FILTER (WHERE in_stored AND NOT in_sql) AS missing_in_sql,
       count(*) FILTER (WHERE in_sql AND NOT in_stored) AS missing_in_stored,
       max(abs(score - stored_score)) AS max_score_diff,
       count(*) FILTER (WHERE in_sql AND in_stored AND (score IS NULL) <> (stored_score IS NULL))
           AS score_null_mismatches,
       max(abs(own_score - stored_own)) AS max_own_score_diff,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND (own_score IS NULL) <> (stored_own IS NULL))
           AS own_score_null_mismatches,
       max(abs(children_score - stored_children)) AS max_children_score_diff,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND (children_score IS NULL) <> (stored_children IS NULL))
           AS children_score_null_mismatches,
       max(abs(completeness - stored_completeness)) AS max_completeness_diff,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND (members, expected, approved)
                                  IS DISTINCT FROM (stored_members, stored_expected,
                                                    stored_approved))
           AS count_mismatches,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND rank_siblings IS DISTINCT FROM stored_rank_siblings
                              AND NOT sibling_tie) AS rank_siblings_mismatches,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND rank_siblings IS DISTINCT FROM stored_rank_siblings
                              AND sibling_tie) AS rank_siblings_ties,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND rank_peers IS DISTINCT FROM stored_rank_peers
                              AND NOT peer_tie) AS rank_peers_mismatches,
       count(*) FILTER (WHERE in_sql AND in_stored
                              AND rank_peers IS DISTINCT FROM stored_rank_peers
                              AND peer_tie) AS rank_peers_ties,
       count(*) FILTER (WHERE in_sql AND in_stored AND grade <> stored_grade)
           AS grade_mismatches,
       count(*) FILTER (WHERE in_sql AND in_stored AND stars IS DISTINCT FROM stored_stars)
           AS stars_mismatches,
       count(*) FILTER (WHERE has_subject) AS subjects_compared,
       max(abs(own_score - stored_total)) FILTER (WHERE has_subject) AS max_subject_total_diff,
       count(*) FILTER (WHERE has_subject AND COALESCE(subject_grade, '') <> stored_subject_grade)
           AS subject_grade_mismatches,
       count(*) FILTER (WHERE has_subject AND subject_stars IS DISTINCT FROM stored_subject_stars)
           AS subject_stars_mismatches
FROM ties
"""


def _near(score: str, partition: str) -> str:
    """Whether the row's `score` is within TIE of the next or previous one in its group."""
    window = f"(PARTITION BY {partition}, j.d ORDER BY {score})"
    return (
        f"COALESCE(abs({score} - lag({score}) OVER {window}) <= {TIE * 1.01}, false)"
        f" OR COALESCE(abs(lead({score}) OVER {window} - {score}) <= {TIE * 1.01}, false)"
    )


def _tie(partition: str) -> str:
    return f"({_near('j.stored_score', partition)} OR {_near('j.score', partition)})"


VERIFY_SQL = _VERIFY_SQL.replace("__SIBLING_TIE__", _tie("o.parent")).replace(
    "__PEER_TIE__", _tie("o.root, o.kind, o.depth")
)

# Formula indicators of the period's framework whose expression is not of the shape the
# statement computes (they would be scored as if their value were missing).
_UNSUPPORTED_SQL = r"""
SELECT count(*)
FROM assessment_indicator i JOIN assessment_period p ON p.framework_id = i.framework_id
WHERE p.id = %(period)s AND i.rubric_kind = 'formula'
  AND (i.rubric ->> 'expr' !~ '^\s*if\(\s*([A-Za-z][A-Za-z0-9._]*)\s*>\s*0\s*,\s*min\(\s*100\s*,'
                              '\s*([A-Za-z][A-Za-z0-9._]*)\s*/\s*\1\s*\*\s*100\s*\)\s*,\s*0\s*\)\s*$'
       OR i.rubric -> 'then' ->> 'kind' NOT IN ('linear', 'bands', 'yes_no'))
"""
_SETTINGS_SQL = """
SELECT rs.own_weight, rs.children, rs.missing
FROM assessment_rollupsettings rs
JOIN assessment_framework f ON f.code = rs.framework_code
JOIN assessment_period p ON p.framework_id = f.id
WHERE p.id = %(period)s
"""


def verify(cursor, period_id: int) -> dict[str, Any]:
    """Run FAITHFUL_SQL and compare its rows with the period's stored `assessment_rollup` rows
    (and its subjects' totals, grades and stars with `assessment_subjectscore`): counts of rows
    compared and missing on either side, the largest differences, and the mismatches; rank
    mismatches where scores tie within TIE are counted apart (…_ties)."""
    params = {"period": period_id}
    cursor.execute(VERIFY_SQL, params)
    names = [column[0] for column in cursor.description]
    out = dict(zip(names, cursor.fetchone(), strict=True))
    cursor.execute(_UNSUPPORTED_SQL, params)
    out["unsupported_formulas"] = cursor.fetchone()[0]
    cursor.execute(_SETTINGS_SQL, params)
    row = cursor.fetchone()
    out["settings"] = (
        "defaults (own_weight 0.3, children equal, missing zero)"
        if row is None
        else f"own_weight {row[0]}, children {row[1]}, missing {row[2]}"
    )
    out["ok"] = (
        out["missing_in_sql"] == 0
        and out["missing_in_stored"] == 0
        and (out["max_score_diff"] or 0) < SCORE_TOLERANCE
        and (out["max_own_score_diff"] or 0) < SCORE_TOLERANCE
        and (out["max_children_score_diff"] or 0) < SCORE_TOLERANCE
        and (out["max_completeness_diff"] or 0) < SCORE_TOLERANCE
        and all(
            out[key] == 0
            for key in (
                "score_null_mismatches",
                "own_score_null_mismatches",
                "children_score_null_mismatches",
                "count_mismatches",
                "rank_siblings_mismatches",
                "rank_peers_mismatches",
                "grade_mismatches",
                "stars_mismatches",
                "subject_grade_mismatches",
                "subject_stars_mismatches",
                "unsupported_formulas",
            )
        )
        and (row is None or (row[0] < 1 and row[1] == "equal" and row[2] == "zero"))
    )
    return out


def verify_tuned(period_id: int) -> dict[str, Any]:
    """`verify` in a transaction of its own with TUNED (jit off, work_mem 64MB)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in TUNED:
            cursor.execute(statement)
        return verify(cursor, period_id)


# -- timing ---------------------------------------------------------------------------------


def time_statement(sql: str, params: dict[str, Any], runs: int = 3) -> dict[str, Any]:
    """Median seconds of `sql` (rows fetched) with the server's settings and with TUNED (jit off,
    work_mem 64MB, SET LOCAL inside a transaction), and its row count."""
    from django.db import connection, transaction

    out: dict[str, Any] = {}
    for name, settings in (("default", ()), ("tuned", TUNED)):
        times = []
        for _ in range(runs):
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in settings:
                    cursor.execute(statement)
                started = time.perf_counter()
                cursor.execute(sql, params)
                out["rows"] = len(cursor.fetchall())
                times.append(time.perf_counter() - started)
        out[name] = statistics.median(times)
        out[f"{name}_all"] = times
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs for each median")
    parser.add_argument("--plan", action="store_true", help="print the statement's plan")
    parser.add_argument(
        "--no-count-baseline",
        dest="count_baseline",
        action="store_false",
        help="do not time bench_rollup.BASELINE_SQL (the count/average baseline) alongside",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("rollup_sql needs PostgreSQL: set DATABASE_URL (see the docstring).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
    import django

    django.setup()
    from django.db import connection

    from assessment.models import Period

    period = (
        Period.objects.filter(framework__code=FRAMEWORK_CODE).order_by("-pk").only("pk").first()
    )
    if period is None:
        print(f"no period of framework {FRAMEWORK_CODE}: run bench/bench_rollup.py first")
        return 1
    params = {"period": period.pk}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM assessment_indicatorvalue v JOIN assessment_submission s "
            "ON s.id = v.submission_id WHERE s.period_id = %(period)s",
            params,
        )
        values = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM assessment_rollup WHERE period_id = %(period)s", params
        )
        stored = cursor.fetchone()[0]
    print(
        f"period {period.pk} ({FRAMEWORK_CODE}): {values:,} values, {stored:,} stored roll-up "
        f"rows; PostgreSQL {server}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )

    if args.plan:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + FAITHFUL_SQL, params)
            print("\n".join(row[0] for row in cursor.fetchall()))

    timed = time_statement(FAITHFUL_SQL, params, args.runs)
    print(
        f"FAITHFUL_SQL: {timed['default']:.2f} s with the server's settings, "
        f"{timed['tuned']:.2f} s with jit off and work_mem 64MB (median of {args.runs}, "
        f"{timed['rows']:,} rows fetched; runs "
        + ", ".join(f"{t:.2f}" for t in timed["default_all"])
        + " / "
        + ", ".join(f"{t:.2f}" for t in timed["tuned_all"])
        + " s)",
        flush=True,
    )
    if args.count_baseline:
        from bench_rollup import BASELINE_SQL

        counted = time_statement(BASELINE_SQL, params, args.runs)
        print(
            f"BASELINE_SQL (counts and means only, for comparison): {counted['default']:.2f} s, "
            f"tuned {counted['tuned']:.2f} s ({counted['rows']:,} rows)",
            flush=True,
        )

    started = time.perf_counter()
    result = verify_tuned(period.pk)
    print(f"verification ({time.perf_counter() - started:.1f} s, jit off, work_mem 64MB):")
    width = max(len(key) for key in result)
    for key, value in result.items():
        shown = f"{value:.3g}" if isinstance(value, float) else value
        print(f"  {key:<{width}}  {shown}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
