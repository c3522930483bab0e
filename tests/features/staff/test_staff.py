"""Staff roles granted by one-time invitation links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.features.staff import store as roles
from bot.features.staff.models import Invite
from tests.chat import Chat


async def make_invite(core, role, scope="", days=7):
    async with core.db.sessions() as s, s.begin():
        return await roles.create_invite(s, role, scope, days)


async def test_invitation_is_accepted_once_and_grants_the_role(core):
    token = await make_invite(core, "social_worker")
    worker = Chat(core, user="worker")
    await worker.start(f"inv_{token}")
    assert "як соціального працівника" in worker.text
    await worker.press("Прийняти")
    assert "тепер ви соціальний працівник" in worker.text and "Як вас бачитимуть" in worker.text
    await worker.press("Пропустити")
    assert "Мої клієнти" in " ".join(worker.labels)

    stranger = Chat(core, user="stranger")  # the same link again: used up
    await stranger.start(f"inv_{token}")
    assert "посилання застаріло" in stranger.text.lower()
    assert "Мої клієнти" not in " ".join(stranger.labels)


async def test_declined_expired_and_forged_invitations_grant_nothing(core):
    token = await make_invite(core, "staff", "cnap-main")
    chat = Chat(core, user="maybe")
    await chat.start(f"inv_{token}")
    assert "ЦНАП тестової громади" in chat.text
    await chat.press("Відхилити")
    assert "Результати відгуків" not in " ".join(chat.labels)

    expired = await make_invite(core, "admin")
    async with core.db.sessions() as s, s.begin():
        await s.execute(update(Invite).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    for payload in (f"inv_{expired}", "inv_forged-token-123", f"inv_{token}x"):
        await chat.start(payload)
        assert "посилання застаріло" in chat.text.lower(), payload



async def test_an_admin_revokes_roles_in_their_office_only(core):
    admin_token = await make_invite(core, "admin", "cnap-main")
    admin = Chat(core, user="admin")
    await admin.start(f"inv_{admin_token}")
    await admin.press("Прийняти")
    for user, scope in (("staff-main", "cnap-main"), ("staff-other", "social-protection")):
        token = await make_invite(core, "staff", scope)
        person = Chat(core, user=user)
        await person.start(f"inv_{token}")
        await person.press("Прийняти")
    await admin.send("/menu")
    await admin.press("Працівники і ролі")
    assert "ЦНАП тестової громади" in admin.text and "Соцзахист" not in admin.text  # only their office
    revoke = admin.button("Відкликати").payload
    await admin.press_payload(revoke)
    assert "роль відкликано" in admin.text
    staff = Chat(core, user="staff-main")
    await staff.send("/menu")
    assert "Результати відгуків" not in " ".join(staff.labels)
    other = Chat(core, user="staff-other")
    await other.send("/menu")
    assert "Результати відгуків" in " ".join(other.labels)
    await staff.press_payload(revoke)  # a non-admin pressing it: nothing happens
    assert "застаріло" in staff.text


async def test_staff_and_roles_shows_names_and_offices_with_labels_cut_on_words(core):
    admin_token = await make_invite(core, "admin")
    admin = Chat(core, user="admin")
    await admin.start(f"inv_{admin_token}")
    await admin.press("Прийняти")
    async with core.db.sessions() as s, s.begin():
        named = await roles.create_invite(s, "staff", "cnap-main", name="Олена Коваленко-Старовойтова, адміністраторка")
    person = Chat(core, user="olena")
    await person.start(f"inv_{named}")
    await person.press("Прийняти")
    worker_token = await make_invite(core, "social_worker")
    worker = Chat(core, user="worker")
    await worker.start(f"inv_{worker_token}")
    await worker.press("Прийняти")
    assert "Як вас бачитимуть" in worker.text  # no name on the invitation: the person gives one
    await worker.send("Петро Іваненко, ЦНСП")
    await admin.send("/menu")
    await admin.press("Працівники і ролі")
    assert "Олена Коваленко-Старовойтова, адміністраторка — працівник ЦНАП, ЦНАП тестової громади" in admin.text
    assert "Петро Іваненко, ЦНСП — соціальний працівник" in admin.text
    assert "#" not in admin.text
    for label in admin.labels:
        assert len(label) <= 60
        if label.endswith("…"):
            assert label[:-1] == label[:-1].rstrip() and f"{label[:-1]} " in "Відкликати: Олена Коваленко-Старовойтова, адміністраторка — працівник ЦНАП, ЦНАП тестової громади "


def test_short_cuts_on_a_word_boundary_with_an_ellipsis():
    from bot.core.ui import short

    assert short("Коротка назва") == "Коротка назва"
    cut = short("Державна реєстрація народження дитини та визначення її походження", 40)
    assert cut == "Державна реєстрація народження дитини…"
    assert short("Надзвичайнодовгесловобезжоднихпробілівнавітьодного", 20).endswith("…")
    assert len(short("Надзвичайнодовгесловобезжоднихпробілівнавітьодного", 20)) == 20
    assert short("Оплата: штрафи, збори, податки", 17) == "Оплата: штрафи…"
