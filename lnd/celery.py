import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lnd.settings")

app = Celery("lnd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# django-celery-beat's DatabaseScheduler copies these into its tables, where an admin can
# change or pause them.
app.conf.beat_schedule = {
    "reap-stale-jobs": {"task": "lnd.tasks.reap_stale_jobs", "schedule": 120.0},
    "nightly-train-and-score": {"task": "lnd.tasks.nightly_refresh",
                                "schedule": crontab(hour=2, minute=0)},
    "daily-retention-periods": {"task": "lnd.tasks.enforce_retention_periods",
                                "schedule": crontab(hour=3, minute=30)},
}
