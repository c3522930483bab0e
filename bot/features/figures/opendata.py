"""The anonymised open-data export: monthly aggregates as CSV, with a documented schema.

Only counts of anonymous events per month and a public id (a service, a topic, a life situation, an
office) are published; nothing typed by a person (unanswered queries) is. A count below
SUPPRESS (and an average made of fewer ratings) is left empty and marked `suppressed`, so no row can
single out a person.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import activity
from bot.i18n import N_

SUPPRESS = 5
COLUMNS = (
    ("month", N_("The month, YYYY-MM (the community's local dates).")),
    ("measure", N_("What was counted: one of the measures below.")),
    ("item", N_("The public id the count is about (a service, a topic, a life situation or an office id from the "
                "knowledge base); empty for community-wide counts.")),
    ("item_name", N_("The item's name in Ukrainian.")),
    ("value", N_("The number (a count, or an average for satisfaction); empty when suppressed.")),
    ("note", N_("«suppressed» when the count is below 5 (or the average rests on fewer than 5 ratings).")),
)
MEASURES = {
    "conversations": N_("People who wrote to the bot, counted once per person per day."),
    "searches": N_("Searches typed (the first page of results)."),
    "searches_found": N_("Searches that found a service confidently."),
    "searches_not_found": N_("Searches that did not."),
    "service_views": N_("Service cards opened, per service."),
    "topic_views": N_("Topics opened, per topic."),
    "situation_views": N_("Life situations opened, per situation."),
    "status_lookups_found": N_("Application-status lookups that found the application."),
    "status_lookups_not_found": N_("Lookups that did not (wrong number or code)."),
    "checklists_started": N_("Document lists started, per service."),
    "checklists_completed": N_("Checklists with every document ticked, per service."),
    "surveys_started": N_("Feedback surveys started, per office."),
    "surveys_completed": N_("Feedback surveys completed, per office."),
    "satisfaction_avg": N_("Average overall rating (1–5) of completed surveys, per office."),
}
_SIMPLE = {"conversation": "conversations", "service": "service_views", "topic": "topic_views",
           "situation": "situation_views", "checklist_started": "checklists_started",
           "checklist_completed": "checklists_completed", "survey_started": "surveys_started"}


async def rows(session: AsyncSession, kb, since: dt.date, until: dt.date) -> list[list[str]]:
    metrics = [*_SIMPLE, "search", "status_lookup", "survey_done"]
    counts: Counter = Counter()
    ratings: dict[tuple[str, str], list[int]] = {}
    for (metric, key), days in (await activity.by_day(session, metrics, since, until)).items():
        for day, n in days.items():
            month = f"{day:%Y-%m}"
            if metric in _SIMPLE:
                counts[(month, _SIMPLE[metric], "" if metric == "conversation" else key)] += n
            elif metric == "search":
                counts[(month, "searches", "")] += n
                counts[(month, f"searches_{key}", "")] += n
            elif metric == "status_lookup":
                counts[(month, f"status_lookups_{key}", "")] += n
            else:  # survey_done: "office:rating"
                office, _sep, rating = key.partition(":")
                counts[(month, "surveys_completed", office)] += n
                if rating.isdigit():
                    r = ratings.setdefault((month, office), [0, 0])
                    r[0] += n
                    r[1] += int(rating) * n
    names = {**{k: v.title.uk for k, v in kb.services.items()}, **{k: v.title.uk for k, v in kb.categories.items()},
             **{k: v.title.uk for k, v in kb.situations.items()}, **{k: v.name.uk for k, v in kb.offices.items()}}
    out = []
    for (month, measure, item), n in sorted(counts.items()):
        out.append([month, measure, item, names.get(item, ""), *((str(n), "") if n >= SUPPRESS else ("", "suppressed"))])
    for (month, office), (rated, total) in sorted(ratings.items()):
        value = (f"{total / rated:.2f}", "") if rated >= SUPPRESS else ("", "suppressed")
        out.append([month, "satisfaction_avg", office, names.get(office, ""), *value])
    out.sort(key=lambda r: (r[0], list(MEASURES).index(r[1]), r[2]))
    return out


def to_csv(table: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([name for name, _doc in COLUMNS])
    writer.writerows(table)
    return buf.getvalue().encode("utf-8")
