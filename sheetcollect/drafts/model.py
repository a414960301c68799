"""The records of the drafts feature: its settings, the drafts it makes, and its error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from ..core.errors import ConfigError, SheetcollectError
from .addresses import address_problem

__all__ = ["CHASE_KINDS", "KINDS", "ON_REQUEST_KINDS", "Draft", "DraftSettings", "TemplateError"]

#: Kinds chosen from the assessments, one per stage or hold that needs a message.
CHASE_KINDS: tuple[str, ...] = (
    "courtesy",
    "reminder_1",
    "reminder_2",
    "warning_call",
    "final_notice",
    "escalate",
    "promise_broken",
    "plan_missed",
)
#: Kinds made only on request (``kind=`` of plan_drafts / write_drafts), for any customer.
ON_REQUEST_KINDS: tuple[str, ...] = ("payment_plan_offer", "statement")
#: Every kind of draft, each a template ``<kind>.j2``.
KINDS: tuple[str, ...] = CHASE_KINDS + ON_REQUEST_KINDS

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class TemplateError(SheetcollectError):
    """A reminder template is missing, broken, uses a field that does not exist, or tried
    something the sandbox forbids; the message names the template file and the field."""


#: The kind of the summary handed to the collection agency with an ``escalate`` draft.
HANDOVER = "escalate_handover"


@dataclass(frozen=True)
class DraftSettings:
    """Who the reminders come from and how they are worded.

    Attributes:
        from_name: the sender's name, shown in From and in the signature ("Jo Bloggs").
        from_email: the sender's address for the From header ("accounts@example.com").
        reply_to: where replies go ("" = no Reply-To header, replies go to from_email).
        company: the business name, used in the letterhead and signature.
        phone: the number customers may call, shown in the messages ("" = not shown).
        locale: Babel locale for money and dates ("en_GB": £1,200.00, 23 November 2026).
        language: the template folder to use ("en", "de" …); a template missing there is
            taken from "en".
        default_currency: ISO code for invoices whose currency cell is empty ("" = show a
            plain number).
        final_notice_days: the final notice's (and letter before action's) deadline is
            as_of + this many days.
        plan_instalments: how many equal instalments a payment plan offer proposes.
        plan_interval_days: days between two instalments of the plan.
        plan_start_days: the first instalment falls this many days after as_of.
        templates_dir: your own template folder; a file there (or in its ``<language>/``
            sub-folder) replaces the built-in template of the same name.
        signature: text placed under the messages instead of name, company and phone.
    """

    from_name: str
    from_email: str
    reply_to: str
    company: str
    phone: str
    locale: str = "en_GB"
    language: str = "en"
    default_currency: str = ""
    final_notice_days: int = 7
    plan_instalments: int = 3
    plan_interval_days: int = 30
    plan_start_days: int = 7
    templates_dir: Path | None = None
    signature: str = ""

    def __post_init__(self) -> None:
        for name in ("from_name", "company", "phone"):
            if any(ch in getattr(self, name) for ch in "\r\n"):
                raise ConfigError(f"drafts: {name} must be one line")
        for name in ("from_email", "reply_to"):
            value = getattr(self, name)
            if value or name == "from_email":
                why = address_problem(value)
                if why:
                    raise ConfigError(f"drafts: {name} {value!r} {why}")
        try:
            Locale.parse(self.locale)
        except (UnknownLocaleError, ValueError, TypeError) as exc:
            raise ConfigError(f"drafts: locale {self.locale!r} is not a known locale") from exc
        if not _LANGUAGE.fullmatch(self.language):
            raise ConfigError(f"drafts: language {self.language!r} is not a code like 'en'")
        if self.default_currency and not _CURRENCY.fullmatch(self.default_currency):
            raise ConfigError(
                f"drafts: default_currency {self.default_currency!r} is not a code like 'GBP'"
            )
        for name in ("final_notice_days", "plan_instalments", "plan_interval_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"drafts: {name} must be a whole number of at least 1")
        if self.plan_start_days < 0:
            raise ConfigError("drafts: plan_start_days must not be negative")
        if self.templates_dir is not None and not isinstance(self.templates_dir, Path):
            object.__setattr__(self, "templates_dir", Path(self.templates_dir))


@dataclass(frozen=True)
class Draft:
    """One message drafted for one customer.

    Attributes:
        customer: the customer's name as first written in the sheet.
        stage: the stage code the message is for (one of ``core.model.STAGES``).
        kind: the template used (one of ``KINDS``, or "escalate_handover" for the summary
            handed to the collection agency).
        channel: "email" (an .eml draft) or "letter" (.txt + .html to print and post).
        to: the e-mail address for "email"; "" for a letter.
        subject: the subject line (one line).
        path: the file written (.eml, or the letter's .txt with its .html beside it); None
            when only planned.
        invoices: the invoice numbers the message lists.
        call_script: what to say on the phone, when the stage calls for a call
            (warning_call, promise_broken); "" otherwise.
        phone: the customer's phone number as written, for the call list.
    """

    customer: str
    stage: str
    kind: str
    channel: str
    to: str
    subject: str
    path: Path | None
    invoices: tuple[str, ...]
    call_script: str = ""
    phone: str = ""
