import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fourth_plenary(db):
    """The 4th plenary of the Hong Kong/Beijing Co-operation Conference, from the bundled fixture."""
    from django.core.management import call_command

    from memoranda.models import PlenarySession

    call_command("loaddata", "fixtures/hk_beijing_4th_plenary.json", verbosity=0)
    return PlenarySession.objects.get(mechanism__code="HKBJ", number=4)


@pytest.fixture
def mechanism(db):
    return factories.MechanismFactory()


@pytest.fixture
def commitment(db):
    return factories.CommitmentFactory()
