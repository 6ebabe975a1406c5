"""Standard payment plans: which share of the agreement value is demanded at which stage.

Construction-linked plans tie demands to building stages; the offsets are typical days from
booking to each stage and give each demand its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Stage:
    """One demand of a plan: a named stage, its share in percent and days after booking."""

    name: str
    percent: Decimal
    days_after_booking: int


@dataclass(frozen=True)
class PaymentPlan:
    """A named list of stages whose percentages add up to 100."""

    code: str
    name: str
    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        total = sum(stage.percent for stage in self.stages)
        if total != Decimal(100):
            raise ValueError(f"plan {self.code} adds up to {total}%, not 100%")

    def demands(self, agreement_value: Decimal, booking_date: dt.date) -> list[tuple[Stage, Decimal, dt.date]]:
        """Each stage with its amount in rupees and paise and its due date; amounts sum to the value."""
        amounts = [
            (agreement_value * stage.percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for stage in self.stages
        ]
        # Rounding paise per stage can leave a paisa or two; the last stage absorbs it.
        amounts[-1] += agreement_value - sum(amounts)
        return [
            (stage, amount, booking_date + dt.timedelta(days=stage.days_after_booking))
            for stage, amount in zip(self.stages, amounts, strict=True)
        ]


def _plan(code: str, name: str, *stages: tuple[str, str, int]) -> PaymentPlan:
    return PaymentPlan(code, name, tuple(Stage(n, Decimal(p), d) for n, p, d in stages))


PLANS: dict[str, PaymentPlan] = {
    plan.code: plan
    for plan in (
        _plan(
            "clp-standard",
            "Construction-linked (10 / 15 / 15 / 15 / 15 / 15 / 10 / 5)",
            ("Booking", "10", 0),
            ("Plinth", "15", 60),
            ("4th slab", "15", 150),
            ("8th slab", "15", 240),
            ("12th slab", "15", 330),
            ("Brickwork", "15", 420),
            ("Finishing", "10", 510),
            ("Possession", "5", 600),
        ),
        _plan(
            "clp-20-80",
            "Subvention 20:80 (20% now, 80% on possession)",
            ("Booking", "10", 0),
            ("Agreement", "10", 30),
            ("Possession", "80", 720),
        ),
        _plan(
            "down-payment",
            "Down payment (10% booking, 85% in 45 days, 5% on registration)",
            ("Booking", "10", 0),
            ("Down payment", "85", 45),
            ("Registration", "5", 90),
        ),
    )
}
