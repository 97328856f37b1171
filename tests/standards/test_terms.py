"""The pure rules of terms (standards/terms.py): windows, aggregation, the term grade, growth
averages and the group's record."""

import pytest

from standards import terms
from standards.terms import TermLine, Window, YearResult

BANDS = (("A", 90), ("B", 80), ("C", 60), ("D", 0))


class TestWindow:
    @pytest.mark.parametrize(
        ("year", "expected"),
        [(2024, (2024, 2026)), (2026, (2024, 2026)), (2027, (2027, 2029)), (2031, (2030, 2032))],
    )
    def test_terms_run_back_to_back_from_the_first_year(self, year, expected):
        assert terms.window(year, first_year=2024, years=3) == Window(*expected)

    def test_a_year_before_the_first_term_has_none(self):
        assert terms.window(2023, first_year=2024, years=3) is None

    def test_a_window_holds_its_years(self):
        term = Window(2022, 2026)
        assert list(term.years) == [2022, 2023, 2024, 2025, 2026]
        assert 2026 in term
        assert 2027 not in term

    def test_the_rule_of_a_kind_is_the_first_naming_it(self):
        rules = [terms.TermRule(("branch",), 3, 2024), terms.TermRule(("group",), 5, 2022)]
        assert terms.rule_for(rules, "group").years == 5
        assert terms.rule_for(rules, "member") is None


class TestAggregate:
    def test_average_top_grades_trend_and_complete(self):
        years = [YearResult(2024, 88, "B"), YearResult(2025, 92, "A"), YearResult(2026, 96, "A")]
        result = terms.aggregate(Window(2024, 2026), years, BANDS)
        assert result.average == pytest.approx(92.0)
        assert result.a_grades == 2
        assert result.trend == pytest.approx(4.0)
        assert result.complete is True
        assert result.grade == "A"

    def test_a_missing_year_leaves_the_term_incomplete_and_the_grade_provisional(self):
        result = terms.aggregate(Window(2024, 2026), [YearResult(2024, 85, "B")], BANDS)
        assert result.complete is False
        assert result.trend is None
        assert result.grade == "B"

    def test_a_vetoed_year_lowers_the_term_grade_by_one_band(self):
        years = [
            YearResult(2024, 95, "A"),
            YearResult(2025, 93, "C", vetoed=True),
            YearResult(2026, 96, "A"),
        ]
        result = terms.aggregate(Window(2024, 2026), years, BANDS)
        assert result.average == pytest.approx(94.67)
        assert result.grade == "B"
        assert result.vetoed_years == (2025,)

    def test_the_lowest_band_is_not_lowered_further(self):
        result = terms.aggregate(Window(2024, 2026), [YearResult(2024, 10, "D", True)], BANDS)
        assert result.grade == "D"

    def test_years_outside_the_term_are_ignored(self):
        years = [YearResult(2023, 0, "D"), YearResult(2024, 90, "A")]
        result = terms.aggregate(Window(2024, 2026), years, BANDS)
        assert result.average == 90
        assert result.a_grades == 1

    def test_no_years_give_no_figures(self):
        result = terms.aggregate(Window(2024, 2026), [], BANDS)
        assert (result.average, result.grade, result.a_grades) == (None, "", 0)

    def test_the_trend_falls_when_scores_fall(self):
        assert terms.trend([(2024, 90), (2025, 85), (2026, 80)]) == pytest.approx(-5.0)

    def test_year_results_round_trip_through_json(self):
        year = YearResult(2025, 91.5, "A", True, 12.0, None, "A")
        assert YearResult.from_dict(year.to_dict()) == year


class TestGrowth:
    def test_the_average_compounds(self):
        assert terms.average_growth([50, -50]) == pytest.approx(-13.4, abs=0.01)
        assert terms.average_growth([20, 20, 20]) == pytest.approx(20.0)

    def test_years_without_a_rate_are_left_out(self):
        assert terms.average_growth([10, None, 10]) == pytest.approx(10.0)
        assert terms.average_growth([None]) is None

    def test_losing_everything_is_minus_100(self):
        assert terms.average_growth([-100, 50]) == -100.0

    def test_against_the_target(self):
        assert terms.meets_target(20.0, 20) is True
        assert terms.meets_target(19.99, 20) is False
        assert terms.meets_target(None, 20) is None

    @pytest.mark.parametrize(
        ("value", "expected"), [("12.5", 12.5), (8, 8.0), ("7%", 7.0), ("n/a", None), (None, None)]
    )
    def test_rates_are_read_from_entered_values(self, value, expected):
        assert terms.rate(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"), [(4, "A"), ("3", "B"), ("1.0", "D"), ("2.5", ""), ("x", ""), (5, "")]
    )
    def test_business_grades_are_entered_as_numbers(self, value, expected):
        assert terms.business_grade(value) == expected


class TestGroupRecord:
    def test_the_run_ending_at_the_latest_year_and_the_longest(self):
        graded = {2018: "A", 2019: "A", 2020: "A", 2021: "B", 2022: "A", 2023: "A"}
        current, longest = terms.runs(graded, "A")
        assert (current.length, current.first_year, current.last_year) == (2, 2022, 2023)
        assert (longest.length, longest.first_year) == (3, 2018)

    def test_a_year_without_a_grade_breaks_the_run(self):
        current, _longest = terms.runs({2020: "A", 2022: "A"}, "A")
        assert current.length == 1

    def test_a_latest_year_below_the_top_ends_the_run(self):
        current, longest = terms.runs({2024: "A", 2025: "B"}, "A")
        assert current.length == 0
        assert longest.length == 1

    def test_the_record(self):
        years = [
            YearResult(y, 95, "A", revenue_growth=22, profit_growth=18, business="A")
            for y in range(2022, 2027)
        ]
        lines = [
            TermLine(2017, 2021, "A", "A", True),
            TermLine(2022, 2026, "A", "A", True),
            TermLine(2027, 2031, "A", "", False),
        ]
        record = terms.group_record(years, lines, top="A", growth_target=20)
        assert record.streak.length == 5
        assert record.business_streak.length == 5
        assert record.term_a_grades == 2
        assert record.business_term_a_grades == 2
        assert record.revenue_growth == pytest.approx(22.0)
        assert record.revenue_meets is True
        assert record.profit_meets is False
        assert (record.first_year, record.last_year) == (2022, 2026)

    def test_an_empty_record(self):
        record = terms.group_record([], [], top="A")
        assert record.streak.length == 0
        assert record.revenue_growth is None
