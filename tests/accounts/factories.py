import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@twinning.example")
    name = factory.Faker("name")
    password = Password(PASSWORD)


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True
