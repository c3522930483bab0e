"""Staff roles granted by one-time invitation links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from storage import roles
from storage.models import Invite
from tests.chat import Chat


async def make_invite(core, role, scope="", days=7):
    async with core.db.sessions() as s, s.begin():
        return await roles.create_invite(s, role, scope, days)


async def test_invitation_is_accepted_once_and_grants_the_role(core):
    token = await make_invite(core, "social_worker")
    worker = Chat(core, user="worker")
    await worker.start(f"inv_{token}")
    assert "соціальний працівник" in worker.text
    await worker.press("Прийняти")
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
        await s.execute(update(Invite).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)))
    for payload in (f"inv_{expired}", "inv_forged-token-123", f"inv_{token}x"):
        await chat.start(payload)
        assert "посилання застаріло" in chat.text.lower(), payload
