"""Rows inserted without model instances read back exactly as the ORM would write them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from lnd.models import AccessLog
from lnd.services.bulk_insert import insert_many
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_datetimes_sort_and_filter_alongside_rows_the_orm_wrote():
    viewer, subject = f.user("ld_specialist"), f.employee()
    now = timezone.now().replace(microsecond=123456)
    AccessLog.objects.create(viewer=viewer, subject=subject, what="risk", via="/orm")
    AccessLog.objects.filter(via="/orm").update(at=now)
    fields = ("viewer", "subject", "what", "via", "at")
    insert_many(AccessLog, fields, [(viewer.pk, subject.pk, "performance", "/early",
                                     now - timedelta(seconds=1)),
                                    (viewer.pk, subject.pk, "performance", "/late",
                                     now + timedelta(seconds=1))])
    assert list(AccessLog.objects.order_by("at").values_list("via", flat=True)) == [
        "/early", "/orm", "/late"]
    assert list(AccessLog.objects.filter(at__gt=now).values_list("via", flat=True)) == [
        "/late"]
    assert AccessLog.objects.get(via="/late").at == now + timedelta(seconds=1)
    # stored byte for byte as the ORM stores it (SQLite compares datetimes as text)
    insert_many(AccessLog, fields, [(viewer.pk, subject.pk, "risk", "/same", now)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT via, CAST(at AS TEXT) FROM lnd_accesslog "
                       "WHERE via IN ('/orm', '/same')")
        stored = dict(cursor.fetchall())
    assert stored["/orm"] == stored["/same"]


def test_batches_cover_every_row():
    viewer, subject = f.user("ld_specialist"), f.employee()
    rows = [(viewer.pk, subject.pk, "risk", f"/{n}", timezone.now()) for n in range(7)]
    assert insert_many(AccessLog, ("viewer", "subject", "what", "via", "at"), rows,
                       batch_size=3) == 7
    assert AccessLog.objects.count() == 7
