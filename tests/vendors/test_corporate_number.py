import pytest

from oversight.vendors.corporate_number import is_valid, normalise, with_check_digit


@pytest.mark.parametrize("number", ["7123456789012", "4011001098993", "2120901007402"])
def test_published_vectors_are_valid(number):
    assert is_valid(number)


@pytest.mark.parametrize(
    "number", ["7123456789013", "1123456789012", "0123456789012", "712345678901", "71234567890123", "712345678901a"]
)
def test_wrong_check_digit_or_length_is_invalid(number):
    assert not is_valid(number)


@pytest.mark.parametrize(
    "typed",
    [
        "７１２３４５６７８９０１２",
        "7123-4567-89012",
        "7 1234 5678 9012",
        "７１２３－４５６７－８９０１２",
        " 7123456789012 ",
    ],
)
def test_full_width_digits_hyphens_and_spaces_are_normalised(typed):
    assert normalise(typed) == "7123456789012"
    assert is_valid(normalise(typed))


def test_changing_one_digit_is_detected_except_zero_nine_swap():
    base = "4011001098993"
    for position in range(1, 13):
        for digit in "12345678":
            if digit == base[position]:
                continue
            changed = base[:position] + digit + base[position + 1 :]
            assert not is_valid(changed), changed


def test_with_check_digit_builds_valid_numbers():
    assert with_check_digit("123456789012") == "7123456789012"
    assert is_valid(with_check_digit("000000000001"))
