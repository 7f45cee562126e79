import json

from django.core.management.base import BaseCommand, CommandError

from lnd.management.commands._jobs import parse_as_of
from lnd.services.retention import retention_report_build


class Command(BaseCommand):
    help = ("Print a report. `report retention --format json` links development to "
            "retention (survival, hazard ratios, risk model, effectiveness, ROI).")

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["retention"])
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--as-of", help="ISO date; default: latest performance week")
        parser.add_argument("--window-weeks", type=int, default=12,
                            help="development exposure window (weeks)")

    def handle(self, *args, **opts):
        try:
            cache = retention_report_build(as_of=parse_as_of(opts["as_of"]),
                                           window_weeks=opts["window_weeks"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(cache.payload, indent=2))
