"""Family ``seat_downgrade`` (test only): a B2B customer asks to cut the number of seats
on a workspace in the middle of a billing term.

Decision rule (source: the ``seat_changes`` article, clauses 1-5; priorities from
``support_priorities``):

1. Which workspace: when the account has two and the ticket names neither ->
   ``request_info(workspace_id)`` first; the customer names one and the case is settled
   on that workspace's record.
2. Seats cannot go below the users assigned to them (``usage``: assigned users): asking
   for fewer -> ``provide_information`` (how many users to unassign first).
3. Billing in force TODAY decides the timing: a contract amendment converting the
   workspace to monthly billing counts only from its effective date (``contract``;
   a CRM note about billing is not the contract). Monthly billing -> the reduction
   applies now with a prorated credit, price per seat x seats removed x unused days /
   30, rounded to the cent -> ``issue_refund`` of that credit (the reply states it).
4. Annual billing inside its committed term -> the reduction takes effect at the
   renewal date -> ``provide_information`` with that date.
5. Queue ``account_management``; priority by impact: the monthly price of the seats
   removed is the money at stake.
"""

from __future__ import annotations

from typing import Any

from caseops.cases import records as rec
from caseops.cases import text as tx
from caseops.cases.common import assemble, impact_priority, ticket
from caseops.cases.kit import CURRENCIES, TIERS_BUSINESS, Kit, Money
from caseops.domain.claims import Claim, Point, claims, point
from caseops.domain.scenario import Artifact, Policy
from caseops.domain.vocab import RequestableField

NAME = "seat_downgrade"
BUDGET = 14
CYCLE = 30

LABELS = ("analytics", "marketing", "support", "engineering", "finance", "sales", "design")
FACTS = (
    "We [need|want|would like] to [reduce|cut|drop] our seats [from {n} ]to {k}.",
    "[Please|Can you] [downgrade|reduce] {what} to {k} seats.",
    "After [a reorganisation|layoffs|a restructure|the merger] we only need {k} seats.",
    "We're paying for {n} seats but [only need|will only use] {k} going forward.",
)
ASIDES = (
    "I [believe|think] we [moved|switched] to monthly billing [at some point|last year].",
    "Our [finance team|CFO|controller] wants this [done|reflected] before the next invoice.",
    "Some of the [accounts|users] belong to people who [left|have left the company].",
    "We might [grow|scale up] again next year.",
    "I'm not sure how many people are still [using it|active].",
)
REQUESTS = (
    "[Can|Could] you [make the change|do this] [today|this week|now]?",
    "What will we be [charged|credited]?",
    "Please confirm [the new price|when this takes effect|the change].",
    "How does this [work|affect our bill]?",
)
CONTEXT = (
    "We've been with you for [years|a while|a long time].",
    "Budgets are [tight|under review] this quarter.",
    "I'm the [admin|billing contact|owner] for our account.",
)
SUBJECTS = ("Reduce seats", "Seat downgrade", "Fewer licences", "Change seat count")


def _policies(kit: Kit) -> dict[str, Policy]:
    """The knowledge base of a case (the first article states the decision rule):
    ``seat_changes``, ``plan_changes``."""
    return {
        "seat_changes": rec.article(
            kit,
            "Changing the number of seats",
            (
                "If the account has several workspaces and the customer has not said "
                "which, ask for the workspace.",
                "Seats cannot be reduced below the users assigned to them: tell the "
                "customer how many users to unassign first.",
                "Monthly billing: reduce now and credit price per seat x seats removed x "
                f"unused days / {CYCLE} (unused days: to the next invoice), rounded to the "
                "cent; state the amount. An amendment to monthly billing counts from its "
                "effective date.",
                "Annual agreements inside the committed term: the reduction takes "
                "effect at the renewal date; tell the customer that date.",
                "Route to account management.",
            ),
            age=(100, 600),
            versions=(2, 7),
            keywords=("seats", "downgrade", "licences", "licenses", "reduce", "seat"),
        ),
        "plan_changes": Policy(
            title="Upgrades",
            content="Seat increases apply at once and are charged pro rata.",
            keywords=("upgrade", "add seats", "increase"),
        ),
    }


def generate(kit: Kit) -> dict[str, Any]:
    """Scenario fields for one seeded seat-downgrade case (see the module docstring)."""
    name = kit.person()
    company = kit.company()
    tier = kit.pick(TIERS_BUSINESS)
    code_, symbol = CURRENCIES[kit.rng.randrange(len(CURRENCIES))]
    per_seat = kit.rng.randint(800, 6000)
    n = kit.rng.randint(20, 400)
    k = kit.rng.randint(max(3, n // 4), n - 2)
    roll = kit.rng.random()
    variant = "too_few" if roll < 0.2 else "monthly" if roll < 0.7 else "annual"
    if variant == "too_few":
        assigned = kit.rng.randint(k + 1, n)
    else:
        assigned = kit.rng.randint(max(1, k // 2), k)
    # billing: an amendment to monthly billing, in force or not yet
    amendment = kit.chance(0.6)
    if variant == "monthly":
        monthly_from = kit.rng.randrange(1, 300) if amendment else None
    elif variant == "annual":
        monthly_from = -kit.rng.randrange(5, 200) if amendment else None  # not yet in force
    else:
        monthly_from = kit.pick((kit.rng.randrange(1, 300), -kit.rng.randrange(5, 200), None))
    monthly = monthly_from is not None and monthly_from >= 0
    if variant == "monthly" and monthly_from is None:
        monthly = True
    term_start = kit.rng.randrange(30, 330)
    term_end = 365 - term_start
    elapsed = kit.rng.randint(1, CYCLE - 1)
    unused = CYCLE - elapsed
    price = Money(per_seat, code_, symbol)
    removed = n - k
    credit = Money((per_seat * removed * unused + CYCLE // 2) // CYCLE, code_, symbol)
    ws = kit.ident("WS")
    label = kit.pick(LABELS)
    two = kit.chance(0.45)
    named = not two or kit.chance(0.25)

    if monthly and monthly_from is None:
        billing = (
            f"monthly, {CYCLE}-day cycle; current cycle began {kit.day(elapsed)}, next "
            f"renewal {kit.day(-unused)}"
        )
        amend_text = "Amendments: none."
    else:
        billing = (
            f"annual agreement, committed term {kit.day(term_start)} to {kit.day(-term_end)}; "
            f"invoiced monthly, current cycle began {kit.day(elapsed)}, next invoice "
            f"{kit.day(-unused)}"
        )
        if monthly_from is None:
            amend_text = "Amendments: none."
        else:
            amend_text = (
                f"Amendment {kit.rng.randrange(1, 4)}: converted to monthly billing (no "
                f"committed term), effective {kit.day(monthly_from)}."
            )
    contract = (
        f"Workspace {ws} ({label}): {n} seats at {price} per seat per month; {billing}.\n"
        f"{amend_text}"
    )
    other = ""
    if two:
        other_ws = kit.ident("WS")
        other_n = kit.rng.randint(5, 200)
        other = (
            f"\nWorkspace {other_ws} ({kit.pick([x for x in LABELS if x != label])}): "
            f"{other_n} seats at {price} per seat per month; annual agreement, committed term "
            f"{kit.day(kit.rng.randrange(30, 330))} to {kit.day(-kit.rng.randrange(10, 300))}."
        )
    crm: list[tuple[int, str]] = []
    if kit.chance(0.4):
        crm.append(
            (
                kit.rng.randrange(100, 400),
                kit.pick(
                    (
                        "Customer asked about moving to monthly billing; sent the amendment.",
                        "Discussed switching to monthly at renewal.",
                        "Customer is on monthly billing now, per the call.",
                    )
                ),
            )
        )
    what = f"workspace {ws}" if named else kit.pick(("our workspace", "our plan", "our account"))
    facts = [tx.variant(kit, FACTS, n=n, k=k, what=what)]
    facts += kit.rng.sample(ASIDES, kit.rng.randint(0, 2))
    msg = tx.compose(kit, facts, REQUESTS, CONTEXT, name, company)
    subject = kit.pick(SUBJECTS)
    artifacts = {
        "contract": Artifact(title=f"Contract: {company}", content=contract + other),
        "usage": Artifact(
            title=f"Seat usage, workspace {ws} (as of {kit.day(0)})",
            content=rec.record(
                kit,
                [("Seats", str(n)), ("Assigned users", str(assigned))],
                [
                    ("Active last 30 days", str(kit.rng.randint(0, assigned))),
                    ("Pending invites", str(kit.rng.randint(0, 9))),
                ],
            ),
        ),
        "crm": Artifact(title="CRM notes", content=rec.crm_notes(kit, crm)),
    }
    policies = _policies(kit)
    evidence = ["ticket", "artifact:contract", "artifact:usage", "policy:seat_changes"]
    requested: tuple[RequestableField, ...] = () if named else ("workspace_id",)
    reply: tuple[Point, ...]
    note: tuple[Point, ...]
    forbidden: tuple[Claim, ...]
    if variant == "too_few":
        code = "provide_information"
        reply = (point("remove_users", facts=(str(assigned - k),)),)
        note = (point("remove_users", facts=(str(assigned),)),)
        forbidden = claims("refund", "prorated")
    elif monthly:
        code = "issue_refund"
        reply = (point("prorated", facts=(str(credit),)),)
        note = (point("prorated"),)
        forbidden = claims("committed_term", "cancel")
    else:
        code = "provide_information"
        reply = (point("committed_term"), point(facts=(kit.day(-term_end),), name="renewal"))
        note = (point("committed_term"),)
        forbidden = claims("refund", "prorated", "cancel")
    return assemble(
        kit,
        difficulty="hard",
        budget=BUDGET,
        title=subject,
        objective=(
            "Work the case: find the workspace, its seats and the billing in force, apply "
            "the policy, route it, note your reasoning and tell the customer the outcome."
        ),
        ticket=ticket(
            kit, subject, name, msg, tier, f"{company}: {n} seats at {price} per seat per month."
        ),
        artifacts=artifacts,
        policies=policies,
        status="resolved",
        code=code,
        queue="account_management",
        priority=impact_priority(money=Money(per_seat * removed, code_, symbol)),
        issue_type="subscription_change",
        evidence=evidence,
        requested=requested,
        answers={"workspace_id": f"It's workspace {ws}, the {label} one."},
        reply=reply,
        note=note,
        forbidden=forbidden,
    )
