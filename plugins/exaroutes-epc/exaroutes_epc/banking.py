"""Checks on bank identifiers: IBAN (ISO 13616, mod-97 check digits), BIC (ISO 9362), amounts in euro."""
import re
from decimal import Decimal, InvalidOperation

import colander

IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


def compact_iban(value):
    """`be72 0000 0000 1616` → `BE72000000001616`: IBANs are printed in groups of four."""
    return value.replace(" ", "").upper()


def iban_checksum_ok(iban):
    """ISO 13616: move the first four characters to the end, letters to 10-35, the number mod 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def iban(node, value):
    compact = compact_iban(value)
    if not IBAN.fullmatch(compact):
        raise colander.Invalid(node, "must be an IBAN: country code, 2 check digits, up to 30 letters or "
                                     "digits (spaces allowed)")
    if not iban_checksum_ok(compact):
        raise colander.Invalid(node, "the IBAN check digits are wrong (mistyped?)")


def bic(node, value):
    if not BIC.fullmatch(value):
        raise colander.Invalid(node, "must be a BIC of 8 or 11 capital letters and digits, like BPOTBEB1")


def euro_amount(node, value):
    """0.01 to 999999999.99 euro with at most two decimals (EPC069-12, AT-04)."""
    try:
        cents = Decimal(repr(value)) * 100
    except InvalidOperation:
        raise colander.Invalid(node, "must be a number of euro")
    if cents != cents.to_integral_value():
        raise colander.Invalid(node, "has more than two decimals (cents)")
    if not 1 <= cents <= 99999999999:
        raise colander.Invalid(node, "must be between 0.01 and 999999999.99 euro")


def format_amount(value):
    """`EUR12.50`: the currency, then the amount with a decimal point and two decimals."""
    return f"EUR{Decimal(repr(value)):.2f}"
