"""New audit actions (roles or home unit, e-mail address, pairing, supervisor
on duty), and one verified, primary allauth address per person matching the
account's e-mail.

With ACCOUNT_CHANGE_EMAIL allauth tells the old address when a person
changes theirs, but only an address it holds as verified counts as the old
one.  The address on the account is the one its invitation went to and the
account was opened through, so it is recorded as verified and primary.  An
address another person already holds verified is left alone.
"""

from django.db import migrations, models


def addresses_match_accounts(apps, schema_editor):
    User = apps.get_model("core", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    rows: dict[int, list] = {}
    for row in EmailAddress.objects.all():
        rows.setdefault(row.user_id, []).append(row)
    verified_by = {
        row.email.lower(): row.user_id
        for user_rows in rows.values()
        for row in user_rows
        if row.verified
    }
    changed, created = [], []
    for pk, email in User.objects.exclude(email="").values_list("pk", "email"):
        email = email.lower()
        if verified_by.get(email, pk) != pk:
            continue
        mine = rows.get(pk, [])
        match = next((row for row in mine if row.email.lower() == email), None)
        for row in mine:
            if row is not match and row.primary:
                row.primary = False
                changed.append(row)
        if match is None:
            created.append(
                EmailAddress(user_id=pk, email=email, primary=True, verified=True)
            )
        elif not (match.primary and match.verified):
            match.primary = match.verified = True
            changed.append(match)
    # Clear the old primaries first: one primary per person is a constraint.
    EmailAddress.objects.bulk_update(
        [row for row in changed if not row.primary], ["primary"], batch_size=500
    )
    EmailAddress.objects.bulk_update(
        [row for row in changed if row.primary], ["primary", "verified"], batch_size=500
    )
    EmailAddress.objects.bulk_create(created, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_actions"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "Logged in"),
                    ("login_failed", "Failed login"),
                    ("login_blocked", "Login blocked by rate limit"),
                    ("logout", "Logged out"),
                    ("person_create", "Person created"),
                    ("person_change", "Person changed"),
                    ("unit_create", "Unit created"),
                    ("unit_change", "Unit changed"),
                    ("hours_credit", "Hours credited"),
                    ("hours_reverse", "Hours reversed"),
                    ("export", "Data exported"),
                    ("sign_off", "Signed off"),
                    ("consent_change", "Consent changed"),
                    ("case_notes_read", "Case notes read"),
                    ("case_change", "Case changed"),
                    ("supervisor_assignment", "Supervisor assignment changed"),
                    ("attendance_change", "Attendance changed"),
                    ("role_change", "Roles, home unit or activation changed"),
                    ("email_change", "Email address changed"),
                    ("pairing_change", "Pairing changed"),
                    ("shift_supervisor_change", "Supervisor on duty changed"),
                ],
                max_length=32,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(addresses_match_accounts, migrations.RunPython.noop),
    ]
