"""The batch check's fast NHS number path gives exactly the domain's answer."""

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.nhs_number import NhsNumber
from portal.services.batch_checks import _REASONS, _fast_number


def _domain(text: str) -> str:
    try:
        return NhsNumber.parse(text).value
    except Exception as error:  # noqa: BLE001 - InvalidNhsNumber carries the reason
        return str(error.reason)  # type: ignore[attr-defined]


def _fast(text: str) -> str:
    value = _fast_number(text)
    return f"{value:010d}" if value >= 0 else _REASONS[-value]


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_ten_digits_answer_as_the_domain_does(text):
    assert _fast(text) == _domain(text)


@given(st.text(alphabet="0123456789 -x\u0663", max_size=14))
def test_anything_else_answers_as_the_domain_does(text):
    assert _fast(text) == _domain(text)


def test_known_numbers():
    assert _fast("9434765919") == "9434765919"
    assert _fast("9434765918") == "check-digit"
    assert _fast("943 476 5919") == "9434765919"
    assert _fast("") == "empty"
