"""Demo data: seed_contacts(n) creates n contacts with Iranian mobile numbers and a few tags.
Idempotent (the same n numbers every time) and built with bulk inserts."""

from .models import Contact, Tag

DEMO_TAGS = ["vip", "newsletter", "customer", "lead"]
BATCH = 2000


def demo_phone(i: int) -> str:
    return f"+98912{i:07d}"


def tags_for(i: int) -> list[str]:
    tags = ["customer" if i % 3 else "lead"]
    if i % 10 == 0:
        tags.append("vip")
    if i % 2 == 0:
        tags.append("newsletter")
    return tags


def seed_contacts(n: int = 2000) -> int:
    """Create the first n demo contacts that do not exist yet; returns how many were created."""
    tags = {t.name: t for t in _ensure_tags(DEMO_TAGS)}
    before = Contact.objects.count()
    for start in range(0, n, BATCH):
        numbers = range(start, min(start + BATCH, n))
        Contact.objects.bulk_create(
            [
                Contact(name=f"Demo contact {i + 1}", phone=demo_phone(i), email=f"contact{i + 1}@example.com")
                for i in numbers
            ],
            ignore_conflicts=True,
        )
        ids = dict(Contact.objects.filter(phone__in=[demo_phone(i) for i in numbers]).values_list("phone", "pk"))
        link_tags({ids[demo_phone(i)]: tags_for(i) for i in numbers}, tags)
    return Contact.objects.count() - before


def _ensure_tags(names):
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return Tag.objects.filter(name__in=names)


def link_tags(contact_tags: dict[int, list[str]], tags: dict | None = None):
    """Add tags to contacts in bulk ({contact id: [tag names]}); existing links are kept."""
    names = {n for names in contact_tags.values() for n in names}
    if tags is None or not names <= tags.keys():
        tags = {t.name: t for t in _ensure_tags(names)}
    Through = Contact.tags.through
    Through.objects.bulk_create(
        [Through(contact_id=cid, tag_id=tags[n].pk) for cid, names in contact_tags.items() for n in names],
        ignore_conflicts=True,
        batch_size=1000,
    )
