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


SEED_PATH = "fixtures/seeds/hk-beijing-4th-plenary-2018.txt"


@pytest.fixture
def seed_text() -> str:
    with open(SEED_PATH, encoding="utf-8") as seed:
        return seed.read()


@pytest.fixture
def without_fourth_plenary(fourth_plenary):
    """The mechanism, parties and organisations of HKBJ, but no session: as before the 4th was loaded."""
    from memoranda.models import Area, Commitment, Memorandum, PlenarySession

    Commitment.objects.all().delete()
    Memorandum.objects.all().delete()
    PlenarySession.objects.all().delete()
    Area.objects.all().delete()
    return fourth_plenary.mechanism


@pytest.fixture(autouse=True)
def default_language_for_each_test():
    """A request of an earlier test leaves its language active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
