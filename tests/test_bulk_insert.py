"""Rows inserted without model instances read back exactly as the ORM would write them."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from lnd.models import AccessLog, RecommendationRun, ScoringChunk
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


def test_json_is_stored_as_the_orm_stores_it_and_none_is_null():
    run = RecommendationRun.objects.create(as_of=date(2026, 1, 5))
    ids = ["E1", 'quote " and comma ,', "naïve ✓", ""]
    ScoringChunk.objects.create(run=run, index=0, employee_ids=ids)
    fields = ("run", "index", "state", "worker", "attempts", "rows", "employee_ids")
    insert_many(ScoringChunk, fields, [(run.pk, 1, "queued", "", 0, 0, ids),
                                       (run.pk, 2, "queued", "", 0, 0, [])])
    assert ScoringChunk.objects.get(index=1).employee_ids == ids
    assert ScoringChunk.objects.get(index=2).employee_ids == []
    with connection.cursor() as cursor:
        cursor.execute('SELECT "index", CAST(employee_ids AS TEXT) FROM lnd_scoringchunk')
        stored = dict(cursor.fetchall())
    assert stored[0] == stored[1]
    with pytest.raises(IntegrityError):  # None is SQL NULL, which the column refuses
        insert_many(ScoringChunk, fields, [(run.pk, 3, "queued", "", 0, 0, None)])
