"""factory_boy factories: each builds a valid row and whatever it needs."""
import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from memoranda.models import Area, Commitment, Mechanism, Memorandum, Organisation, Party, PlenarySession
from tracker.models import Membership, ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.roles import sync_role_groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("pass-word-123")


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    code = factory.Sequence(lambda n: f"party{n}")
    name = factory.Sequence(lambda n: f"Government of Place {n}")
    short_name = factory.Sequence(lambda n: f"Place {n}")


class MechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mechanism
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"M{n:03d}")
    name = factory.Sequence(lambda n: f"Co-operation Conference {n}")
    established_year = 2004

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if not create:
            return
        self.parties.set(extracted if extracted is not None else [PartyFactory(), PartyFactory()])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    party = factory.SubFactory(PartyFactory)
    name = factory.Sequence(lambda n: f"Bureau {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlenarySession

    mechanism = factory.SubFactory(MechanismFactory)
    number = factory.Sequence(lambda n: n + 1)
    held_on = datetime.date(2018, 10, 24)
    venue = "Beijing"


class MemorandumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Memorandum

    session = factory.SubFactory(SessionFactory)
    title = factory.LazyAttribute(lambda m: f"Memorandum of session {m.session.number}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    mechanism = factory.SubFactory(MechanismFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    position = factory.Sequence(lambda n: n + 1)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    area = factory.SubFactory(AreaFactory, mechanism=factory.SelfAttribute("..session.mechanism"))
    area_position = 1
    item_position = factory.Sequence(lambda n: n + 1)
    ref = factory.LazyAttribute(
        lambda c: Commitment.make_ref(c.session.mechanism.code, c.session.number, c.area_position, c.item_position)
    )
    title = factory.Sequence(lambda n: f"Commitment {n}")
    text = "Both sides would continue to co-operate."
    lead_organisation = factory.SubFactory(
        OrganisationFactory, party=factory.LazyAttribute(lambda o: o.factory_parent.session.mechanism.parties.first())
    )

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create:
            self.parties.set(extracted if extracted is not None else self.session.mechanism.parties.all())

    @factory.post_generation
    def supporting_organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.supporting_organisations.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OFFICIAL

    @factory.post_generation
    def role_groups(self, create, extracted, **kwargs):
        if create:
            sync_role_groups(self.user)


class ReportingCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingCycle

    mechanism = factory.SubFactory(MechanismFactory)
    title = "Progress report to the 5th Plenary Session"
    reports_to_session_number = 5
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    commitment = factory.SubFactory(CommitmentFactory)
    author = factory.SubFactory(UserFactory)
    proposed_status = "on_track"
    proposed_progress = 30
    narrative = "Two exchange visits were held."
    state = UpdateState.DRAFT


def official_of(organisation: Organisation, **kwargs):
    """A user who is an official of `organisation`."""
    return MembershipFactory(organisation=organisation, role=Role.OFFICIAL, **kwargs).user


def member_of(organisation: Organisation, role: str, **kwargs):
    return MembershipFactory(organisation=organisation, role=role, **kwargs).user
