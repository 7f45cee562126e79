from django.core.management.base import BaseCommand

from lnd.management.commands._jobs import parse_as_of, run_job_inline
from lnd.models import Job


class Command(BaseCommand):
    help = "Score 90-day attrition risk for every active agent with the active risk model."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date; default: latest performance week")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        job = Job.objects.create(kind=Job.Kind.SCORE_RISK,
                                 params={"as_of": as_of.isoformat() if as_of else None})
        job = run_job_inline(job, self.stdout)
        self.stdout.write(self.style.SUCCESS(job.message))
