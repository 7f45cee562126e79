import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lnd.services.evaluation import recommendations_evaluate


class Command(BaseCommand):
    help = ("Score the current recommendations and both baselines against DATADIR/truth/ "
            "(share of the oracle's top-5 gain, nDCG@5).")

    def add_arguments(self, parser):
        parser.add_argument("data_dir")
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **opts):
        k = opts["k"]
        try:
            table = recommendations_evaluate(data_dir=Path(opts["data_dir"]), k=k)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            self.stdout.write(json.dumps(table, indent=2))
            return
        columns = {f"share_of_oracle_top{k}": f"oracle_share@{k}", f"ndcg_at_{k}": f"ndcg@{k}",
                   f"share_of_oracle_top{k}_eligible": f"eligible_share@{k}",
                   "interval_coverage": "interval_cover", "n_agents": "agents"}
        self.stdout.write(f"{'recommender':34s}" + "".join(f" {c:>17s}" for c in
                                                          columns.values()))
        for name, row in table.items():
            self.stdout.write(f"{name:34s}" + "".join(
                f" {row.get(c, float('nan')):17.3f}" for c in columns))
