import factory
from factory.django import DjangoModelFactory

from lms.core.models import OrgUnit, User, role_group


def make_unit(*, name: str, code: str, parent: OrgUnit | None = None, level=None):
    """Units live in a treebeard tree, so they are added through the tree."""
    if parent is None:
        return OrgUnit.add_root(name=name, code=code, level=level or OrgUnit.Level.CITY)
    return OrgUnit.objects.get(pk=parent.pk).add_child(
        name=name, code=code, level=level or OrgUnit.Level.COUNTY
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set([role_group(role) for role in extracted])
        self.save()
