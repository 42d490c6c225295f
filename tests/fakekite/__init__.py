"""A fake Kite Connect (REST and ticker WebSocket) on loopback, for the real ``kiteconnect``
client to talk to in tests. See ``fake.FakeKite``; ``packets`` builds Kite's binary frames."""

from tests.fakekite.fake import FakeKite
from tests.fakekite.market import IST, Instrument
from tests.fakekite.packets import DepthLevel
from tests.fakekite.session import checksum

__all__ = ["IST", "DepthLevel", "FakeKite", "Instrument", "checksum"]
