"""A fake Kite Connect on loopback (REST and the ticker WebSocket) for the real ``kiteconnect``
client to talk to in tests: no test reaches Zerodha, yet the client's own HTTP, parsing,
error mapping, WebSocket and reconnect code all run.

    with FakeKite() as fake:
        fake.add_instrument("NSE:INFY", 408065, last_price="1500")
        kite = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root)
        ticker = KiteTicker(fake.api_key, fake.access_token, root=fake.ws_root)
        fake.set_price("NSE:INFY", "1501.5")   # fills resting orders, streams a tick

Modules: ``fake`` (FakeKite), ``controls`` (misbehaviour), ``book``/``orders``/``forms``/
``positions`` (the exchange), ``by_hand`` (what the account's owner does outside shikra:
orders in the Kite app, carried positions), ``api``/``rest``/``session``/``faults`` (HTTP side),
``ws_server``/``wsproto`` (WebSocket side), ``market`` and ``packets`` (prices and frames).
"""

from tests.fakekite.fake import FakeKite
from tests.fakekite.market import IST, Instrument
from tests.fakekite.packets import DepthLevel
from tests.fakekite.session import checksum

__all__ = ["IST", "DepthLevel", "FakeKite", "Instrument", "checksum"]
