from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from lnd.management.commands._jobs import parse_as_of, run_job_inline
from lnd.models import Job


class Command(BaseCommand):
    help = ("Train the gain model on history up to the as-of date; promote it only if it "
            "beats the baselines and the active model on the held-out period.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date; default: latest performance week")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--queue", action="store_true", help="run on a worker instead")

    def handle(self, *args, **opts):
        params = {"as_of": (d.isoformat() if (d := parse_as_of(opts["as_of"])) else None),
                  "seed": opts["seed"]}
        try:
            with transaction.atomic():
                job = Job.objects.create(kind=Job.Kind.TRAIN, params=params)
        except IntegrityError:
            raise CommandError("A training run is already queued or running.") from None
        if opts["queue"]:
            from lnd.services.jobs import job_enqueue

            job_enqueue(job_id=job.pk)
            self.stdout.write(f"Queued training job {job.pk}")
            return
        job = run_job_inline(job, self.stdout)
        self.stdout.write(self.style.SUCCESS(job.message))
