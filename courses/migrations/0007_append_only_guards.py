"""A video's status history and attendance changes are append-only in the
database: UPDATE is refused, and so is DELETE, except that a video's events
go with the video (a DELETE of the video row deletes them after it, the
only DELETE their trigger lets through).  Attendance changes protect their
attendance.  See ``lms.core.migrations._append_only``."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from lms.core.migrations._append_only import cascade, guard, joined, run, uncascade, unguard

VIDEO = ("courses_video", "video_id")

GUARDS = joined(
    guard("courses_videoevent", parent=VIDEO),
    cascade("courses_video", "courses_videoevent", "video_id"),
    guard("courses_attendancechange"),
)
UNGUARDS = joined(
    unguard("courses_attendancechange"),
    uncascade("courses_video", "courses_videoevent"),
    unguard("courses_videoevent", parent=VIDEO),
)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_roster_private_storage"),
        ("core", "0006_append_only_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendancechange",
            name="attendance",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="changes",
                to="courses.attendance",
            ),
        ),
        migrations.AlterField(
            model_name="videoevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="videoevent",
            name="video",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="courses.video",
            ),
        ),
        migrations.RunPython(run(GUARDS), run(UNGUARDS)),
    ]
