"""Plan and write the drafts: one per customer with an action due, in the stage's tone."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from email.headerregistry import Address
from pathlib import Path
from typing import Any, NamedTuple

from ..core.errors import ConfigError
from ..core.model import Problem, customer_key
from ..core.policy import Policy
from ..report import Report
from .addresses import FileNames, address_problem, one_line, parse_address
from .context import Case, build_context, select_cases
from .model import HANDOVER, ON_REQUEST_KINDS, Draft, DraftSettings
from .output import email_bytes, letter_files
from .render import Renderer

__all__ = ["call_scripts", "plan_drafts", "write_drafts"]

_CALL_KINDS = frozenset({"warning_call", "promise_broken"})


class _Composed(NamedTuple):
    draft: Draft
    primary: str
    files: list[tuple[str, bytes]]


def _recipient(case: Case) -> tuple[Address | None, list[Problem]]:
    """The first usable address among the customer's e-mail cells, and a warning per bad
    cell (each distinct cell once): such a cell never reaches a header."""
    bad: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    chosen: tuple[Address, str] | None = None
    for a in sorted(case.open_items, key=lambda a: a.invoice.row):
        cell, ref = a.invoice.email, a.invoice.ref
        if not cell.strip() or cell in seen:
            continue
        seen.add(cell)
        why = address_problem(cell)
        if why:
            bad.append((ref, cell, why))
        elif chosen is None:
            parsed = parse_address(cell)
            assert parsed is not None
            chosen = (parsed, ref)
    if chosen is None:
        outcome = "drafted a letter instead"
    else:
        outcome = f"used {chosen[0].addr_spec} from {chosen[1]} instead"
    problems = [
        Problem(ref, "warning", f"{ref} (e-mail): {_shown(cell)} {why}; {outcome}")
        for ref, cell, why in bad
    ]
    return (chosen[0] if chosen else None), problems


def _shown(cell: str) -> str:
    return repr(cell if len(cell) <= 60 else cell[:57] + "...")


def _case_context(
    case: Case, report: Report, settings: DraftSettings, policy: Policy
) -> tuple[dict[str, Any], Address | None, list[Problem]]:
    """The placeholders of one customer's draft, the address it goes to (None: a letter),
    and a warning per unusable e-mail cell."""
    address, problems = _recipient(case)
    channel = "email" if address else "letter"
    email = address.addr_spec if address else ""
    context = build_context(case, settings, report.as_of, policy, channel=channel, email=email)
    return context, address, problems


def _compose_case(
    case: Case,
    report: Report,
    settings: DraftSettings,
    policy: Policy,
    renderer: Renderer,
    names: FileNames,
) -> tuple[list[_Composed], list[Problem]]:
    context, address, problems = _case_context(case, report, settings, policy)
    channel = "email" if address else "letter"
    email = address.addr_spec if address else ""
    kind, stem = case.kind, names.stem(case.customer)
    subject = renderer.render(kind, "subject", context)
    text = renderer.render(kind, "text", context)
    html = renderer.render(kind, "html", context)
    call_script = renderer.render(kind, "call_script", context) if kind in _CALL_KINDS else ""
    numbers = tuple(a.invoice.invoice or a.invoice.ref for a in case.open_items)
    phone = context["customer"]["phone"]
    draft = Draft(
        case.customer, case.stage, kind, channel, email, subject, None, numbers, call_script, phone
    )
    if address:
        to = Address(one_line(context["customer"]["greeting_name"]), addr_spec=email)
        seed = (customer_key(case.customer), case.stage, kind)
        data = email_bytes(
            settings=settings,
            to=to,
            subject=subject,
            text=text,
            html=html,
            as_of=report.as_of,
            seed=seed,
        )
        composed = [_Composed(draft, f"{stem}.{kind}.eml", [(f"{stem}.{kind}.eml", data)])]
    else:
        files = letter_files(f"{stem}.{kind}", text, html)
        composed = [_Composed(draft, files[0][0], files)]
    if kind == "escalate":
        composed.append(_handover(case, context, renderer, stem, numbers))
    return composed, problems


def _handover(
    case: Case, context: dict[str, Any], renderer: Renderer, stem: str, numbers: tuple[str, ...]
) -> _Composed:
    """The summary handed to the collection agency (or used for the small claim)."""
    subject = renderer.render("escalate", "handover_subject", context)
    text = renderer.render("escalate", "handover_text", context)
    html = renderer.render("escalate", "handover_html", context)
    files = letter_files(f"{stem}.{HANDOVER}", text, html)
    draft = Draft(case.customer, case.stage, HANDOVER, "letter", "", subject, None, numbers)
    return _Composed(draft, files[0][0], files)


def _compose(
    report: Report,
    settings: DraftSettings,
    policy: Policy | None,
    kind: str | None,
    customers: Collection[str] | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[_Composed], list[Problem]]:
    if kind is not None and kind not in ON_REQUEST_KINDS:
        allowed = ", ".join(ON_REQUEST_KINDS)
        raise ConfigError(f"drafts: kind {kind!r} cannot be asked for; use one of: {allowed}")
    renderer, names = Renderer(settings), FileNames()
    composed: list[_Composed] = []
    problems: list[Problem] = []
    cases = list(select_cases(report, kind, customers))
    for done, case in enumerate(cases, 1):
        made, found = _compose_case(case, report, settings, policy or Policy(), renderer, names)
        composed += made
        problems += found
        if on_progress:
            on_progress(done, len(cases))
    return composed, problems


def plan_drafts(
    report: Report,
    settings: DraftSettings,
    *,
    policy: Policy | None = None,
    kind: str | None = None,
    customers: Collection[str] | None = None,
) -> tuple[list[Draft], list[Problem]]:
    """The drafts ``write_drafts`` would write (rendered, path None), for a dry run."""
    composed, problems = _compose(report, settings, policy, kind, customers)
    return [c.draft for c in composed], problems


def write_drafts(
    report: Report,
    settings: DraftSettings,
    out_dir: Path,
    *,
    policy: Policy | None = None,
    kind: str | None = None,
    customers: Collection[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Draft], list[Problem]]:
    """Write one draft per customer with an action due into ``out_dir`` (created if needed;
    files of the same name are replaced, so a re-run gives the same files).

    ``policy`` is the one the report was assessed with (its agency threshold picks the
    consequence named at escalation). ``kind`` drafts that kind for every customer with open
    invoices instead (e.g. "statement"), optionally only for the named ``customers``.
    ``on_progress`` hears (customers drafted, customers to draft) after each customer.
    """
    composed, problems = _compose(report, settings, policy, kind, customers, on_progress)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    drafts = []
    for item in composed:
        for name, data in item.files:
            (out_dir / name).write_bytes(data)
        drafts.append(replace(item.draft, path=out_dir / item.primary))
    return drafts, problems


def call_scripts(
    report: Report,
    settings: DraftSettings,
    *,
    policy: Policy | None = None,
    customers: Collection[str] | None = None,
) -> dict[str, str]:
    """What to say on the phone to each customer whose stage calls for a call, keyed by
    ``customer_key``: only the call script is rendered (for the call list of a rerun, whose
    drafts were written earlier)."""
    renderer, scripts = Renderer(settings), {}
    for case in select_cases(report, None, customers):
        if case.kind not in _CALL_KINDS:
            continue
        context, _address, _problems = _case_context(case, report, settings, policy or Policy())
        scripts[customer_key(case.customer)] = renderer.render(case.kind, "call_script", context)
    return scripts
