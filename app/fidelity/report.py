"""The fidelity figures frozen into a quarterly report run (the report's "fidelity" section,
optional in app/reporting/figures_schema.py so older runs still open).

Both workbooks leave BCC, so the indicators' counts of people are as published outside BCC
(the same call the indicators page makes for Taskforce and MHCLG readers).
"""

from __future__ import annotations

from app.fidelity import indicators, service
from app.fidelity.models import PRINCIPLES, SCORE_WORDS
from app.periods import Quarter
from app.programme import service as programme_service


def figures(quarter: Quarter) -> dict:
    authorities = programme_service.authorities()
    up_to = quarter.half_year
    scores = []
    agreed = service.histories(agreed_only=True)  # one read for every authority
    for authority in authorities:
        latest, previous = service.latest_two(agreed.get(authority.id, []), up_to)
        for principle, text in PRINCIPLES.items():
            score = latest.scores.get(principle) if latest else None
            before = previous.scores.get(principle) if previous else None
            scores.append(
                {
                    "authority_name": authority.name,
                    "period": str(latest.period) if latest else None,
                    "principle": principle,
                    "principle_text": text,
                    "score": score,
                    "score_word": SCORE_WORDS[score] if score else None,
                    "previous_period": str(previous.period) if previous else None,
                    "change": (score - before) if score is not None and before is not None else None,
                }
            )
    found = indicators.for_quarter(quarter, [a.id for a in authorities], protect=True)
    names = {a.id: a.name for a in authorities}
    rows = [
        {
            "authority_name": names[authority_id],
            "key": indicator.key,
            "name": indicator.name,
            "principle": indicator.principle,
            "numerator_label": indicator.numerator_label,
            "numerator": indicator.numerator,
            "denominator_label": indicator.denominator_label,
            "denominator": indicator.denominator,
            "value": indicator.value,
        }
        for authority_id, listed in found.items()
        for indicator in listed
    ]
    definitions = [[f"Fidelity: {name}", text] for name, text in indicators.definitions().values()]
    definitions.insert(
        0,
        [
            "Fidelity: self-assessment score",
            "Each authority's latest agreed self-assessment (half-years April-September and "
            "October-March) up to the quarter: a score from 1 (not in place) to 5 (fully in "
            "place) for each Housing First principle, as moderated and agreed by the programme "
            "manager. Change: the score minus the one of the agreed self-assessment before it.",
        ],
    )
    return {"scores": scores, "indicators": rows, "definitions": definitions}
