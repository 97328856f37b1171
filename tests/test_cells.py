import pytest

from core.cells import neutralise, neutralise_row


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_text_that_would_start_a_formula_is_made_inert(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["党支部", "a=b", "", 5, -3.5, None, True])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_a_row_is_neutralised_cell_by_cell():
    assert neutralise_row(["=HYPERLINK(1)", 2, "ok"]) == ["'=HYPERLINK(1)", 2, "ok"]
