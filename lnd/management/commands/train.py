from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from lnd.management.commands._jobs import parse_as_of, run_job_inline
from lnd.models import Job
from lnd.services.jobs import job_enqueue

KINDS = {"gain": Job.Kind.TRAIN, "risk": Job.Kind.TRAIN_RISK}


class Command(BaseCommand):
    help = ("Train the gain model and/or the attrition-risk model on history up to the "
            "as-of date; each is promoted only if it beats its baselines and the active "
            "model on the held-out period, otherwise kept as rejected with the reason.")

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=["all", *KINDS], default="all")
        parser.add_argument("--as-of", help="ISO date; default: latest performance week")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--queue", action="store_true", help="run on a worker instead")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        params = {"as_of": as_of.isoformat() if as_of else None, "seed": opts["seed"]}
        kinds = list(KINDS) if opts["kind"] == "all" else [opts["kind"]]
        for kind in kinds:
            try:
                with transaction.atomic():
                    job = Job.objects.create(kind=KINDS[kind], params=params)
            except IntegrityError:
                raise CommandError("A training run is already queued or running.") from None
            if opts["queue"]:
                job_enqueue(job_id=job.pk)
                self.stdout.write(f"Queued {kind} training job {job.pk}")
                continue
            self.stdout.write(f"Training the {kind} model")
            job = run_job_inline(job, self.stdout)
            self.stdout.write(self.style.SUCCESS(job.message))
