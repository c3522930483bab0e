"""Strict in-process senders for delivery tests."""

from __future__ import annotations

from bot.delivery.sender import Outcome


class Sink:
    """A sender that records what the delivery worker would send."""

    def __init__(self, channel: str = "console", outcome: Outcome = Outcome("sent")):
        self.channel = channel
        self.outcome = outcome
        self.sent: list[tuple[str, str]] = []

    async def send(self, external_id, replies):
        if self.outcome.status == "sent":
            self.sent.extend((external_id, r.text) for r in replies)
        return self.outcome


class PartSink:
    """A platform-like sender: each reply is one part, sent behind the worker's gate; scripted failures
    (`fail_at`: the part numbers to refuse once, with `outcome`) and calls that wait for `release`."""

    def __init__(self, channel: str = "console", outcome: Outcome = Outcome("retry", error="502")):
        import asyncio

        self.channel = channel
        self.outcome = outcome
        self.fail_at: set[int] = set()  # overall part numbers (0-based) to refuse once
        self.sent: list[tuple[str, str]] = []
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()
        self.waiting = 0

    async def deliver(self, job):
        import dataclasses

        done = 0
        for n, reply in enumerate(job.replies):
            if n < job.skip:
                continue
            await job.gate()
            self.calls += 1
            if n in self.fail_at:
                self.fail_at.discard(n)
                return dataclasses.replace(self.outcome, parts=done)
            self.waiting += 1
            await self.release.wait()
            self.waiting -= 1
            self.sent.append((job.external_id, reply.text))
            done += 1
        return Outcome("sent", parts=done)

    async def send(self, external_id, replies):
        async def go():
            return None

        from bot.delivery.sender import Job

        return await self.deliver(Job(external_id, replies, go))
