"""The formula parser: precedence, and errors that point at the right place."""

from __future__ import annotations

import pytest

from civitas.rules.errors import ExpressionError
from civitas.rules.expressions import Binary, BoolOp, Call, IfElse, InList, Literal, Name, parse
from civitas.rules.yamltests import expected_number


def test_multiplication_binds_tighter_than_addition():
    tree = parse("a + b * 2")
    assert isinstance(tree, Binary) and tree.op == "+"
    assert isinstance(tree.right, Binary) and tree.right.op == "*"


def test_and_binds_tighter_than_or_and_comparisons_tighter_than_and():
    tree = parse("a > 1 or b and c == 2")
    assert isinstance(tree, BoolOp) and tree.op == "or"
    assert isinstance(tree.items[1], BoolOp) and tree.items[1].op == "and"
    assert isinstance(tree.items[1].items[1], Binary) and tree.items[1].items[1].op == "=="


def test_elif_chains_nest_in_the_else_branch():
    tree = parse("if a then 1 elif b then 2 else 3")
    assert isinstance(tree, IfElse) and isinstance(tree.otherwise, IfElse)
    assert tree.otherwise.otherwise.value == 3


def test_dotted_names_selectors_calls_and_lists():
    tree = parse("sum(salary[last_month], role == 'child') + taxes.rate")
    assert isinstance(tree.left, Call) and tree.left.name == "sum"
    assert tree.left.args[0].selector == "last_month"
    assert isinstance(tree.right, Name) and tree.right.parts == ["taxes", "rate"]
    in_list = parse("status not in ['owner', 'tenant']")
    assert isinstance(in_list, InList) and in_list.negated and len(in_list.items) == 2


def test_numbers_allow_underscores_and_negative_literals_fold():
    tree = parse("-12_000.5")
    assert isinstance(tree, Literal) and tree.value == -12000.5


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("a +", "ends too early", 3),
        ("(a + b", "expected ')'", 6),
        ("a < b < c", "cannot be chained", 6),
        ("a = 1", "compare with '=='", 2),
        ("if a then 1", "every 'if' needs an 'else'", 11),
        ("a b", "missing operator", 2),
        ("'open", "not closed", 0),
        ("", "empty", 0),
        ("x $ 2", "unexpected character", 2),
    ],
)
def test_syntax_errors_name_the_problem_and_its_position(source, message, offset):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert message in caught.value.message
    assert caught.value.offset == offset


def test_expected_values_allow_arithmetic_but_nothing_else():
    assert expected_number("600 - 200 / 12") == pytest.approx(583.3333333)
    assert expected_number(12) == 12.0
    with pytest.raises(Exception, match="only numbers"):
        expected_number("__import__('os')")
