from django.core.management.base import BaseCommand

from lnd.services.exports import risk_write_csv


class Command(BaseCommand):
    help = "Write current attrition-risk scores to a CSV in the data contract's columns."

    def add_arguments(self, parser):
        parser.add_argument("out", help="output CSV path ('-' for stdout)")

    def handle(self, *args, **opts):
        if opts["out"] == "-":
            count = risk_write_csv(self.stdout)
        else:
            with open(opts["out"], "w", newline="", encoding="utf-8") as out:
                count = risk_write_csv(out)
        self.stderr.write(f"{count} risk scores written")
