"""Write a simulated contact centre (data-contract files plus truth/) into a folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommender.simulation import simulate


class Command(BaseCommand):
    help = "Simulate a contact centre: OUT gets the contract files and OUT/truth/."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="folder to write (created if missing)")
        parser.add_argument("--agents", type=int, default=1000, help="roster size at the start")
        parser.add_argument("--weeks", type=int, default=78, help="weeks of history")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        out, agents, weeks = options["out"], options["agents"], options["weeks"]
        try:
            simulate(out, n_agents=agents, weeks=weeks, seed=options["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Simulated {agents} agents x {weeks} weeks "
                          f"(seed {options['seed']}) into {out}")
