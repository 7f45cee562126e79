from django.core.management.base import BaseCommand, CommandError

from lnd.management.commands._jobs import parse_as_of, run_job_inline
from lnd.models import Employee, Job
from lnd.services.jobs import job_enqueue


class Command(BaseCommand):
    help = "Score recommendations for every active agent (a new run, switched atomically)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="every active agent")
        group.add_argument("--agent", metavar="EMPLOYEE_ID", help="one agent")
        parser.add_argument("--as-of", help="ISO date; default: latest performance week")
        parser.add_argument("--queue", action="store_true", help="run on a worker instead")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        if opts["agent"]:
            from lnd.services.ml_jobs import recommendations_score_agent

            try:
                employee = Employee.objects.get(employee_id=opts["agent"])
            except Employee.DoesNotExist:
                raise CommandError(f"No employee {opts['agent']!r}") from None
            rows = recommendations_score_agent(employee=employee, as_of=as_of)
            self.stdout.write(f"{rows} recommendations for {employee.employee_id}")
            return
        job = Job.objects.create(kind=Job.Kind.RECOMMEND,
                                 params={"as_of": as_of.isoformat() if as_of else None})
        if opts["queue"]:
            job_enqueue(job_id=job.pk)
            self.stdout.write(f"Queued scoring job {job.pk}")
            return
        job = run_job_inline(job, self.stdout)
        self.stdout.write(self.style.SUCCESS(job.message))
