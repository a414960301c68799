"""Money in cells: amounts with their currency marks, and currency cells as ISO codes.

Amounts are ``Decimal``, never float; a value that cannot be read raises ``CellError``, and
the rules for ambiguous separators are written down in ``parse_money``'s docstring.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from .cells import LONGEST_VALUE, CellError, quoted

__all__ = ["parse_currency", "parse_money"]

# Active ISO 4217 codes (precious metals and test codes left out). A list rather than "any
# three letters", so that "12 Mar" in an amount column is an error, not 12 in currency MAR.
_ISO_CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL
    BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK
    DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS
    INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
    SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW
    UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL""".split()
)
# "$" is taken for US dollars, as most spreadsheets mean it; other dollars say which.
_SYMBOLS = {
    "US$": "USD", "AU$": "AUD", "CA$": "CAD", "NZ$": "NZD", "HK$": "HKD",
    "A$": "AUD", "C$": "CAD", "S$": "SGD", "R$": "BRL",
    "£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY",
    "₪": "ILS", "₽": "RUB", "₦": "NGN", "₱": "PHP", "฿": "THB",
}  # fmt: skip
_CURRENCY_NAMES = {
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "pound sterling": "GBP",
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "us dollar": "USD",
    "us dollars": "USD", "yen": "JPY",
}  # fmt: skip
_CODE_FIRST = re.compile(r"([A-Za-z]{3})(?![A-Za-z])")
_CODE_LAST = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})$")
_CREDIT_FIRST = re.compile(r"cr(?![a-z])", re.IGNORECASE)
_CREDIT_LAST = re.compile(r"(?<![a-z])cr$", re.IGNORECASE)
_DASHES = frozenset("-–—")  # an accounting-format zero shows as a lone dash
_NUMBER_CHARS = re.compile(r"[0-9.,' ’]+")
_GROUP_MARKS = " '’"  # spaces (incl. no-break and thin, after NFKC) and Swiss apostrophes
_THOUSANDS = {
    mark: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+") for mark in ".,"
}


def parse_money(value: object) -> tuple[Decimal | None, str | None]:
    """A cell as (amount, ISO currency code or None); (None, None) for a blank cell.

    Numbers: int and Decimal as they are, a float through its repr (0.1 → Decimal("0.1"),
    no binary noise); a bool raises. Text: a currency symbol or ISO code before or after the
    number ("£1,200.50", "1000 EUR", "CHF 1'200.00"; "$" is USD); a minus before or after the
    symbol, a trailing minus, parentheses or a "CR" mark make it negative; a lone dash is
    zero. Separators: when both . and , appear the last one is the decimal mark; a single
    . or , followed by exactly three digits groups thousands ("1,200" and "1.200" are 1200),
    otherwise it is the decimal mark ("12,50" is 12.50); spaces, no-break/thin spaces and
    apostrophes only group thousands, and groups must be three digits. Else CellError.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise CellError(f"{quoted(value)} is not an amount")
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise CellError(f"{quoted(value)} is not an amount")
        return _no_negative_zero(number), None
    if not isinstance(value, str):
        raise CellError(f"{quoted(value)} is not an amount")
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()
    if not text:
        return None, None
    parsed = _parse_money_text(text) if len(text) <= LONGEST_VALUE else None
    if parsed is None:
        raise CellError(f"{quoted(value)} is not an amount")
    return parsed


def _no_negative_zero(number: Decimal) -> Decimal:
    return abs(number) if number == 0 else number


def _parse_money_text(text: str) -> tuple[Decimal, str | None] | None:
    """Peel signs and currency marks off both ends, in any order, then read the number."""
    negative = plus = False
    currency: str | None = None
    while text and text not in _DASHES:
        peeled = _peel_money_mark(text)
        if peeled is None:
            break
        kind, text, code = peeled
        text = text.strip()
        if kind == "currency":
            if currency not in (None, code):
                return None
            currency = code
        elif negative or plus:  # "--5", "(-5)", "+(5)": one sign only
            return None
        else:
            negative, plus = kind == "negative", kind == "plus"
    number = Decimal(0) if text in _DASHES else _parse_number(text)
    if number is None:
        return None
    return _no_negative_zero(-number if negative else number), currency


def _peel_money_mark(text: str) -> tuple[str, str, str | None] | None:
    """(kind, rest, currency code) for one mark at either end of ``text``, or None.

    Currency first, so that in "£ -" (accounting zero) the dash is what remains."""
    for symbol, code in _SYMBOLS.items():
        if text.startswith(symbol):
            return "currency", text[len(symbol) :], code
        if text.endswith(symbol):
            return "currency", text[: -len(symbol)], code
    if (match := _CODE_FIRST.match(text)) and match[1].upper() in _ISO_CURRENCIES:
        return "currency", text[3:], match[1].upper()
    if (match := _CODE_LAST.search(text)) and match[1].upper() in _ISO_CURRENCIES:
        return "currency", text[:-3], match[1].upper()
    if len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        return "negative", text[1:-1], None
    if text[0] == "-":
        return "negative", text[1:], None
    if text[-1] == "-":
        return "negative", text[:-1], None
    if text[0] == "+":
        return "plus", text[1:], None
    if _CREDIT_FIRST.match(text):
        return "negative", text[2:], None
    if _CREDIT_LAST.search(text):
        return "negative", text[:-2], None
    return None


def _parse_number(text: str) -> Decimal | None:
    """A plain number with thousands groups and a decimal mark, per ``parse_money``'s rules."""
    if not _NUMBER_CHARS.fullmatch(text):
        return None
    marks = {c for c in text if c in ".,"}
    decimal_mark = ""
    if len(marks) == 2:
        decimal_mark = text[max(text.rfind("."), text.rfind(","))]
    elif len(marks) == 1:
        mark = marks.pop()
        grouped = any(c in _GROUP_MARKS for c in text)
        if text.count(mark) == 1 and (grouped or not _THOUSANDS[mark].fullmatch(text)):
            decimal_mark = mark
    whole, _, fraction = text.partition(decimal_mark) if decimal_mark else (text, "", "")
    if decimal_mark and not re.fullmatch(r"[0-9]+", fraction):
        return None
    groups = {c for c in whole if not c.isdigit()}
    if len(groups) > 1:
        return None
    if groups:
        mark = re.escape(groups.pop())
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:{mark}[0-9]{{3}})+", whole):
            return None
    elif not (whole or fraction):
        return None
    digits = re.sub(r"[^0-9]", "", whole) or "0"
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def parse_currency(value: object) -> str | None:
    """A cell as an ISO currency code: "£"/"gbp"/"GBP"/"pounds" → "GBP"; blank → None.

    Symbols as in ``parse_money`` ("$" is USD), a few English names, or an active ISO 4217
    code in any case; anything else raises CellError.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise CellError(f"{quoted(value)} is not a currency")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    code = _SYMBOLS.get(text) or _CURRENCY_NAMES.get(" ".join(text.casefold().split()))
    if code:
        return code
    if text.upper() in _ISO_CURRENCIES:
        return text.upper()
    raise CellError(f"{quoted(value)} is not a currency")
