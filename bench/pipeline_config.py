"""One benchmark row as a shikra config: N symbols on the synthetic feed, the ``bench_paced``
strategy set to the row's order rate, limits out of the way.

Limits: every risk and order-rate limit is raised far above what a row can reach. The order rate
is chosen by the strategy (``ORDER_RATES``), not by the router's rate limiter: a limiter at
Kite's 10/s would make the limiter's queueing the order latency, which is its job and not the
pipeline's cost. "realistic" stays under Kite's 10/s *and* its 400/min (6.7/s sustained).
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_RATES = {"realistic": 5.0, "stress": 200.0}
"""Orders per second across all symbols that each ``--order-rate`` asks for."""


@dataclass(frozen=True)
class Row:
    """What one benchmark row is: its inputs, shared by the tree and the baseline."""

    symbols: int
    rate: float
    """Ticks per second offered, across all symbols."""
    order_rate: str
    seconds: float
    """The measured window."""
    warmup: float
    """Ticks flowing before the window opens (after the pre-warm), excluded from the figures."""

    @property
    def orders_per_second(self) -> float:
        return ORDER_RATES[self.order_rate]

    @property
    def every(self) -> int:
        """Each symbol signals on every ``every``-th price: ticks/s ÷ orders/s overall."""
        return max(1, round(self.rate / self.orders_per_second))

    def args(self) -> list[str]:
        return [
            str(self.symbols), str(self.rate), self.order_rate, str(self.seconds), str(self.warmup)
        ]  # fmt: skip

    @classmethod
    def from_args(cls, values: list[str]) -> Row:
        symbols, rate, order_rate, seconds, warmup = values
        return cls(int(symbols), float(rate), order_rate, float(seconds), float(warmup))


def symbol_name(i: int) -> str:
    return f"NSE:SYM{i}"


def initial_price(i: int) -> int:
    return 100_000 + 5 * i


def config_text(row: Row, state_dir: str) -> str:
    every = row.every
    entries = "\n".join(
        f'[[symbols]]\nsymbol = "{symbol_name(i)}"\nstrategy = "bench_paced"\n'
        f"params = {{ every = {every}, phase = {i * every // row.symbols} }}\nquantity = 1\n"
        f"initial_price_paise = {initial_price(i)}\n"
        for i in range(row.symbols)
    )
    return f"""
[system]
mode = "paper"
state_dir = "{state_dir}"
log_level = "warning"
[system.metrics]
port = 0
[feed]
source = "synthetic"
[feed.synthetic]
seed = 1
ticks_per_second = {row.rate / row.symbols}
burstiness = 0.3
volatility_bps = 5.0
{entries}
[risk]
max_order_quantity = 100
max_order_value = 100000000
max_position_quantity = 100000
max_gross_exposure = 1000000000
max_open_orders = 100000
max_orders_per_minute = 1000000
price_band_bps = 1000
max_daily_loss = 1000000000
max_drawdown = 1000000000
[orders]
per_second = 1000000
per_minute = 10000000
per_day = 100000000
[heartbeat]
interval_seconds = 1.0
timeout_seconds = 5.0
[position_sync]
interval_seconds = 5.0
"""
