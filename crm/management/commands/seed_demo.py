"""`python manage.py seed_demo`: demo data for a development instance.

Idempotent (`make run` calls it every time): the superuser `demo`/`demo` is
created once and left alone afterwards, demo contacts are added only up to the
wanted count. Refuses to run with DEBUG off unless --force is given: a known
password on a production superuser is a hole.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from notifications.demo import seed_contacts

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Create the demo superuser (demo/demo) and demo contacts; safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=3000, help="How many demo contacts to have (default 3000).")
        parser.add_argument("--force", action="store_true", help="Seed even when DEBUG is off.")

    def handle(self, *args, contacts, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates a superuser with a known password: DEBUG is off, use --force.")
        self.seed_user()
        self.seed_contacts(contacts)

    def seed_user(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            self.stdout.write(f"Created superuser {DEMO_USERNAME}/{DEMO_PASSWORD}.")
        else:
            self.stdout.write(f"Superuser {DEMO_USERNAME} exists; left unchanged.")

    def seed_contacts(self, count):
        created = seed_contacts(count)
        self.stdout.write(f"Demo contacts: {created} created, {count} wanted.")
