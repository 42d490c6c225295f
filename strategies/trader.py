"""``SymbolTrader``: everything the Strategy actor decides for one symbol, with no threads.

The actor is a shell around it (DESIGN.md rule 2): a tick comes in, the strategy (any object
on the strategy API, ``strategies.api``: the built-ins through ``strategies.signals``) is shown
it with a ``View`` and decides, and ``on_tick`` may return an ``OrderIntent`` (or the
``CancelIntent`` of the working order) to send to RiskGate; order events, rejections and
fills come back and are handed to ``on_order_event``, ``on_rejected`` and ``on_fill``.
Everything here is deterministic given the messages, which is what lets a restart rebuild it
(``restore``) and a test pin it down.

The rules it enforces:

* **One working order per symbol.** From the intent until that order is finished, no new intent:
  finished means rejected, or a terminal event *and* the fills it reports all applied (the event
  and the fills travel separately, and acting on a stale position would double an exit).
* **Exits before entries.** Exit rules are checked on every tick; when one fires, a signal on the
  same tick is ignored.
* **LIMIT entries wait a while, not forever.** One still working ``entry_timeout_ns`` of market
  time after it was decided is cancelled (once), and the symbol is free when that is done.
* **Close, don't reverse.** An opposite signal only closes the position; the next signal in that
  direction (an edge strategy's next cross, a level strategy's next tick) opens the other side.
* **Its own position, from its own fills**, applied at most once per trade id, as an exact
  average-entry position (``strategies.position``).
* **The stop rests at the venue** with ``[symbols.venue_stop]`` (``strategies.venue_stop``):
  placed as soon as the entry is done (``follow_up``, without waiting for a tick), it is then
  the working order. A stop level reached is the venue's to act on; any other exit cancels it
  first and goes once the cancel is confirmed (never both at once); it is trailed by
  modification. A stop someone else cancelled (or the broker refused) is not placed again for
  that position: the stop is then kept here, as without the option.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from fractions import Fraction

import msgspec

from config.symbols import ExitsConfig, VenueStopConfig
from messages.control import TradingState
from messages.market import Tick
from messages.orders import (
    CancelIntent,
    Fill,
    ModifyIntent,
    OrderEvent,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderStatus,
    OrderType,
    Product,
    Side,
)
from strategies.api import Cancel, Decision, Enter, Exit, Modify, Strategy, View, WorkingOrder
from strategies.bars import BarAggregator
from strategies.base import Signal
from strategies.exits import ExitDecision, ExitRules, ExitState
from strategies.position import PositionChange, StrategyPosition
from strategies.venue_stop import VenueStop, stop_side
from strategies.working import (
    ACKNOWLEDGED,
    BUSY_QUIET_MAX_NS,
    BUSY_REASONS,
    EXIT_HOLD_MAX_NS,
    EXIT_HOLD_NS,
    PASSING_REASONS,
    REJECTION_QUIET_NS,
    PendingExit,
    PendingOrder,
)

STOP_REASON_PREFIX = "stop:"
"""The reason of every venue stop's intent starts so: how the journal tells the position's stop
from its other orders after a restart."""

EXITS_REFUSED = frozenset({TradingState.HALTED, TradingState.RECONCILING})
"""States in which RiskGate refuses a strategy's exit (``core.risk``)."""

Action = OrderIntent | CancelIntent | ModifyIntent
"""What the trader may ask RiskGate for."""

MAX_CLIENT_ID_LENGTH = 20
"""Kite's order ``tag`` limit (alphanumeric, at most 20 characters); the client id travels as it."""
SEQ_DIGITS = 6


class SymbolTrader:
    """Signals and exits -> order intents for one symbol. See the module docstring."""

    def __init__(
        self,
        *,
        symbol: str,
        quantity: int,
        lot_size: int,
        product: Product,
        strategy: Strategy,
        exits: ExitsConfig,
        client_id_prefix: str,
        next_seq: int,
        tick_size_paise: int,
        entry_timeout_ns: int = 30_000_000_000,
        venue_stop: VenueStopConfig | None = None,
    ) -> None:
        if lot_size <= 0 or quantity <= 0 or quantity % lot_size:
            raise ValueError(f"quantity {quantity} must be a positive multiple of lot {lot_size}")
        if tick_size_paise <= 0:
            raise ValueError(f"tick_size_paise must be positive, got {tick_size_paise}")
        if next_seq < 0:
            raise ValueError(f"next_seq must not be negative, got {next_seq}")
        if not (client_id_prefix.isascii() and client_id_prefix.isalnum()):
            raise ValueError(f"client id prefix must be ASCII alphanumeric: {client_id_prefix!r}")
        if len(client_id_prefix) + SEQ_DIGITS > MAX_CLIENT_ID_LENGTH:
            longest = MAX_CLIENT_ID_LENGTH - SEQ_DIGITS
            raise ValueError(f"client id prefix {client_id_prefix!r} longer than {longest}")
        self.symbol = symbol
        self.quantity = quantity
        self.lot_size = lot_size
        self.product = product
        self.strategy = strategy
        self.exit_rules = ExitRules(exits, lot_size)
        self.client_id_prefix = client_id_prefix
        self.tick_size_paise = tick_size_paise  # for priced orders; market orders carry none
        self.entry_timeout_ns = entry_timeout_ns
        self._venue_stop = VenueStop(venue_stop, tick_size_paise) if venue_stop else None
        self._stop_withheld = False
        """The venue stop of this position was cancelled by someone else (the square-off, a
        flatten, a person at the broker) or refused for good: it is not placed again until the
        position is flat, and the position's stop is kept in shikra meanwhile."""
        self._after_stop: PendingExit | None = None
        """An exit whose venue stop has just been cancelled for it: sent next."""
        self._exit_for_stop: str | None = None
        """The client id of the exit sent after its venue stop's cancel (``_after_stop``)."""
        self._exits_held_until_ns = 0
        """That exit was refused: until then the stop rests and no exit cancels it
        (``EXIT_HOLD_NS``)."""
        self._holds_in_a_row = 0
        self.exits_refused = False
        """RiskGate refuses exits now (HALTED, RECONCILING; ``on_trading_state``): a resting
        stop is not cancelled for one, which would only leave the position bare."""
        self._last_tick: Tick | None = None
        bar_seconds = getattr(strategy, "bar_seconds", None)
        self._bars = (
            BarAggregator(symbol, int(bar_seconds * 1_000_000_000)) if bar_seconds else None
        )
        self._own_stop: int | None = None
        self._own_target: int | None = None
        """The strategy's own stop and target for the open position (``Enter``'s)."""
        self.dropped_decisions = 0
        """Decisions that could not be acted on as given (no lots, no price): counted, logged
        by the actor, never a crash."""
        self._shown: tuple[StrategyPosition, WorkingOrder | None, View] | None = None
        """The last view with the position and working order it shows: made again only when
        they change, not on every tick."""
        self._next_seq = next_seq
        self._prices_seen = 0
        self.last_signal: Signal | None = None
        """What the strategy's rule said at the last tick, whether or not it was acted on."""
        self._position = StrategyPosition()
        self._exit_state: ExitState | None = None
        self._applied_trade_ids: set[str] = set()
        self._pending: PendingOrder | None = None
        self._last_tick_ns = 0
        self._quiet_until_ns = 0
        self._busy_in_a_row = 0
        """Refusals for a busy account since this symbol's last accepted order."""

    # -- properties ------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """Signed quantity: positive long, negative short, 0 flat."""
        return self._position.quantity

    @property
    def average_entry(self) -> Fraction | None:
        """Exact average entry price in paise of the open position, None when flat."""
        return self._position.average_entry

    @property
    def exit_state(self) -> ExitState | None:
        return self._exit_state

    @property
    def pending_client_id(self) -> str | None:
        return self._pending.client_id if self._pending else None

    @property
    def warmed_up(self) -> bool:
        """True once the signal strategy has seen enough prices to signal."""
        return self._prices_seen >= self.strategy.warmup_ticks

    @property
    def next_seq(self) -> int:
        return self._next_seq

    # -- inputs ----------------------------------------------------------------------------

    def on_tick(self, tick: Tick) -> Action | None:
        """Feed the tick (and a bar it completes) to the strategy and the exit rules; maybe
        return one intent, the cancel of the working order, or a modification of it.

        Ticks of other symbols are ignored (the actor is wired to one symbol; a stray tick must
        not move this one's indicators).
        """
        self.last_signal = None
        if tick.symbol != self.symbol:
            return None
        price = tick.ltp
        self._prices_seen += 1
        view = self.view()
        decision: Decision | None = None
        if self._bars is not None:
            bar = self._bars.on_tick(tick)
            if bar is not None:
                decision = self.strategy.on_bar(bar, view)  # type: ignore[attr-defined]
        on_tick = self.strategy.on_tick(tick, view)
        decision = decision or on_tick
        self.last_signal = getattr(self.strategy, "last_signal", None)
        exit_decision = None
        if self._exit_state is not None and self._position.average_entry is not None:
            self._exit_state, exit_decision = self.exit_rules.on_price(
                self._position.quantity,
                self._position.average_entry,
                self._exit_state,
                price,
                tick.exchange_ns,
            )
        self._last_tick_ns = tick.exchange_ns
        self._last_tick = tick
        pending = self._pending
        if pending is not None:
            if pending.protective:
                return self._about_stop(pending, decision, exit_decision, tick)
            return self._about_working(decision, tick)
        if tick.exchange_ns < self._quiet_until_ns:
            return None
        if self._after_stop is not None:
            return self._exit_after_stop(tick)
        if tick.exchange_ns < self._exits_held_until_ns:  # the stop first: it was refused
            stop = self._place_stop(tick)
            if stop is not None:
                return stop
        if exit_decision is not None:
            return self._close(exit_decision.quantity, f"exit: {exit_decision.reason}", tick)
        own = self._own_exit(price)
        if own is not None:
            return self._close(abs(self._position.quantity), f"exit: {own}", tick)
        if self._venue_stop is not None:  # (a call per tick saved where there is none)
            stop = self._place_stop(tick)
            if stop is not None:
                return stop
        if decision is None or not self.warmed_up:
            return None
        return self._decide(decision, tick)

    def follow_up(self) -> OrderIntent | None:
        """What should go out right after a fill or an order's end, without waiting for the
        next tick (an illiquid symbol may not tick for minutes): the stop of a position just
        opened (or changed), or the exit a venue stop was just cancelled for."""
        tick = self._last_tick
        if self._pending is not None or tick is None or tick.exchange_ns < self._quiet_until_ns:
            return None
        tick = msgspec.structs.replace(tick, receive_ns=0)  # not a tick's doing: no latency
        if self._after_stop is not None:
            return self._exit_after_stop(tick)
        return self._place_stop(tick)

    def _exit_after_stop(self, tick: Tick) -> OrderIntent | None:
        """The exit its venue stop was cancelled for, for what is left of the position (the
        stop may have filled in part meanwhile); nothing when it is flat."""
        after, self._after_stop = self._after_stop, None
        assert after is not None
        if self._position.quantity == 0:
            return None
        quantity = min(after.quantity, abs(self._position.quantity))
        exit_ = self._close(quantity, after.reason, tick, after.how)
        self._exit_for_stop = exit_.client_id if exit_ is not None else None
        return exit_

    def view(self) -> View:
        """What the strategy is shown: its position and working order, the instrument."""
        pending = self._pending
        working = pending.order if pending is not None else None
        shown = self._shown
        if shown is not None and shown[0] is self._position and shown[1] is working:
            return shown[2]
        entry = self._position.average_entry
        view = View(
            symbol=self.symbol,
            position=self._position.quantity,
            average_entry=float(entry) if entry is not None else None,
            working=working,
            lot_size=self.lot_size,
            tick_size=self.tick_size_paise,
            quantity=self.quantity,
        )
        self._shown = (self._position, working, view)
        return view

    def on_fill(self, fill: Fill) -> None:
        """Apply a fill of this symbol to the position, at most once per trade id.

        A fill that opens or reverses the position starts fresh exit state (entry time and best
        price from the fill); one that reduces it without closing marks the partial exit taken.
        Every fill price is a market price seen since entry, so it also counts toward the best
        price: that is all a restart has to go on (ticks are not journaled).
        """
        if fill.symbol != self.symbol or fill.trade_id in self._applied_trade_ids:
            return
        self._applied_trade_ids.add(fill.trade_id)
        self._position, change = self._position.apply(fill.side, fill.quantity, fill.price)
        if change in (PositionChange.OPENED, PositionChange.REVERSED):
            self._exit_state = ExitState(entry_ns=fill.at_ns, best_price=fill.price)
            pending = self._pending
            if pending is not None and pending.client_id != fill.client_id:
                pending = None  # (not the order that opened it: no stop or target of its own)
            self._own_stop = pending.stop_price if pending is not None else None
            self._own_target = pending.target_price if pending is not None else None
        elif change is PositionChange.CLOSED:
            self._exit_state = None
            self._own_stop = self._own_target = None
            self._stop_withheld = False  # the next position gets its stop again
            self._after_stop = self._exit_for_stop = None
            self._exits_held_until_ns = self._holds_in_a_row = 0
        elif self._exit_state is not None:  # ADDED or REDUCED: same position, same clock
            self._exit_state = replace(
                self._exit_state,
                best_price=self._better(self._exit_state.best_price, fill.price),
                partial_taken=self._exit_state.partial_taken or change is PositionChange.REDUCED,
            )
        if self._pending is not None and fill.client_id == self._pending.client_id:
            self._pending.filled += fill.quantity
            self._clear_pending_if_finished()

    def on_order_event(self, event: OrderEvent) -> None:
        """A terminal event of the working order finishes it once its fills are applied.

        A FILLED event promises the whole order quantity; CANCELLED and REJECTED promise
        ``filled_quantity`` (a partly filled order can be cancelled). ``UNKNOWN`` is not
        terminal: the order may exist, so nothing new may go out until it is found.
        """
        pending = self._pending
        if pending is None or event.client_id != pending.client_id:
            return
        if event.status is not OrderStatus.REJECTED:
            self._busy_in_a_row = 0  # it got through: the account had room
            if event.client_id == self._exit_for_stop:
                self._holds_in_a_row = 0  # the exit went: the next halt starts at a minute
        if event.status in ACKNOWLEDGED:
            pending.acknowledged = True
        if not event.status.is_terminal:
            return
        filled = event.quantity if event.status is OrderStatus.FILLED else event.filled_quantity
        pending.final_filled = filled
        if pending.protective and event.status is not OrderStatus.FILLED:
            if pending.cancel_sent and event.status is OrderStatus.CANCELLED:
                self._after_stop = pending.then  # ours: the exit it made way for goes next
            else:
                self._stop_withheld = True  # someone else's cancel, or the broker refused it
        self._clear_pending_if_finished()

    def on_modified(self, answer: OrderModified) -> None:
        """The answer to a modification of the working order: accepted, the order has its new
        prices; refused, it keeps the old ones, and the next try waits a while."""
        pending = self._pending
        if pending is None or answer.client_id != pending.client_id or pending.order is None:
            return
        pending.modifying = None
        if not answer.accepted:
            pending.quiet_until_ns = self._last_tick_ns + REJECTION_QUIET_NS
            return
        pending.modifications += 1
        order = pending.order
        pending.order = msgspec.structs.replace(
            order,
            trigger_price=answer.trigger_price or order.trigger_price,
            limit_price=answer.limit_price or order.limit_price,
        )

    def on_rejected(self, rejection: OrderRejected) -> None:
        """A rejected intent never reached the market: the symbol is free for the next one,
        after a quiet spell. Without it an exit refused while HALTED (whose condition still
        holds) would be re-sent on every tick."""
        if self._pending is not None and rejection.client_id == self._pending.client_id:
            if rejection.client_id == self._exit_for_stop:
                # Its stop was cancelled for it: the position is bare at the venue. The stop
                # goes straight back (``follow_up``: no quiet spell), and stays a while.
                self._pending = self._exit_for_stop = None
                hold = min(EXIT_HOLD_MAX_NS, EXIT_HOLD_NS << min(self._holds_in_a_row, 4))
                self._exits_held_until_ns = self._last_tick_ns + hold
                self._holds_in_a_row += 1
                return
            if self._pending.protective and rejection.reason not in PASSING_REASONS:
                self._stop_withheld = True  # its price or value: the same answer every time
            self._pending = None
            quiet = REJECTION_QUIET_NS
            if rejection.reason in BUSY_REASONS:
                quiet = min(BUSY_QUIET_MAX_NS, quiet << min(self._busy_in_a_row, 4))
                self._busy_in_a_row += 1
            self._quiet_until_ns = self._last_tick_ns + quiet

    def on_trading_state(self, state: TradingState) -> None:
        """RiskGate's trading state, as it published (or journaled) it. While it refuses exits
        a resting stop stays; once it takes them again the next exit goes at once (a hold
        after a refused exit is over: the refusal it waited out has ended)."""
        refused = state in EXITS_REFUSED
        if self.exits_refused and not refused:
            self._exits_held_until_ns = self._holds_in_a_row = 0
        self.exits_refused = refused

    def rewarm(self, strategy: Strategy, prices: Iterable[int]) -> None:
        """Replace the strategy with a fresh one warmed up on ``prices`` (oldest first), e.g.
        the feed's recent prices after a restart. Its decisions during the warm-up are
        ignored: they describe the past. The exit rules need no warm-up (they follow fills)."""
        prices = list(prices)
        strategy.warm_up(prices)
        self.strategy = strategy
        self._prices_seen = len(prices)

    def reset_position(self) -> None:
        """Forget the position, its exit state and the order waited on (a new trading day is
        rebuilt from the journal with ``restore``); the indicators are kept: market history
        does not end at midnight."""
        self._position = StrategyPosition()
        self._exit_state = None
        self._own_stop = self._own_target = None
        self._applied_trade_ids = set()
        self._pending = None
        self._stop_withheld = False
        self._after_stop = self._exit_for_stop = None
        self._exits_held_until_ns = self._holds_in_a_row = 0

    def restore(
        self,
        fills: Iterable[Fill],
        pending_client_id: str | None = None,
        pending: WorkingOrder | None = None,
        *,
        acknowledged: bool = False,
        modifications: int = 0,
    ) -> None:
        """Rebuild position and exit state from journaled fills after a restart.

        Call once, before the first tick. The fills go through ``on_fill``, so the result is
        the state live fills would have left, except the best price since entry: ticks are not
        journaled, so it is the best *fill* price of the position, and a trailing stop is looser
        than live until the market makes a new best. ``pending_client_id``: the order the
        journal shows sent but not finished, so no second order goes out until it is resolved.
        The signal strategy is not restored: it warms up again from live ticks. ``pending``:
        what that order is, when the journal knows: a LIMIT entry's timeout then runs again
        from the first tick after the restart (its decision's market time is not journaled),
        and a venue stop (``protective``) is known as the position's stop again: it trails
        and is cancelled before an exit as before. ``acknowledged``: the broker had the order
        (it can be modified); ``modifications``: how many it accepted.
        """
        if pending_client_id is not None:
            known = pending is not None and pending.client_id == pending_client_id
            self._pending = PendingOrder(
                pending_client_id,
                order=pending if known else None,
                decided_ns=-1,
                acknowledged=acknowledged,
                modifications=modifications,
            )
        for fill in fills:
            self.on_fill(fill)

    # -- decisions -------------------------------------------------------------------------

    def _decide(self, decision: Decision, tick: Tick) -> OrderIntent | None:
        held = self._position.quantity
        if isinstance(decision, Exit):
            if held == 0:
                return None
            return self._close(abs(held), f"exit: {decision.reason}", tick, decision)
        if not isinstance(decision, Enter):
            return None  # a Cancel with nothing working
        if held != 0:
            if (held > 0) == (decision.side is Side.BUY):
                return None  # already in that direction: no pyramiding
            return self._close(abs(held), f"exit: {decision.reason}", tick)  # close, don't reverse
        if decision.lots is None:
            quantity = self.quantity
        elif isinstance(decision.lots, int) and decision.lots > 0:
            quantity = decision.lots * self.lot_size
        else:
            self.dropped_decisions += 1
            return None
        return self._intent(decision.side, quantity, f"entry: {decision.reason}", tick, decision)

    def _about_working(
        self, decision: Decision | None, tick: Tick
    ) -> CancelIntent | ModifyIntent | None:
        """While an order works: cancel it when the strategy says so, or when it is a LIMIT
        entry that has waited ``entry_timeout_ns`` of market time (asked again after
        ``RETRY_NS`` with no answer); move its LIMIT when the strategy says so."""
        pending = self._pending
        assert pending is not None
        if pending.cancel_sent:
            return pending.cancel_again(self.symbol, tick.exchange_ns)
        if isinstance(decision, Modify):
            return self._modify_limit(pending, decision, tick)
        if pending.decided_ns < 0:
            pending.decided_ns = tick.exchange_ns  # restored: its wait starts again now
        order = pending.order
        timed_out = (
            order is not None
            and order.entry
            and order.order_type is OrderType.LIMIT
            and tick.exchange_ns - pending.decided_ns >= self.entry_timeout_ns
        )
        if not (timed_out or isinstance(decision, Cancel)):
            return None
        reason = "entry timed out" if timed_out else f"cancel: {decision.reason}"  # type: ignore[union-attr]
        return pending.cancel(self.symbol, reason, tick.exchange_ns)

    def _modify_limit(
        self, pending: PendingOrder, decision: Modify, tick: Tick
    ) -> ModifyIntent | None:
        """The strategy's new price for its working LIMIT, once the broker has the order and
        no other change is on its way; a price it cannot have is dropped and counted."""
        order = pending.order
        if order is None or order.order_type is not OrderType.LIMIT or order.protective:
            self.dropped_decisions += 1
            return None
        if not pending.may_modify(tick.exchange_ns):
            return None
        price = self._passive(order.side, decision.limit_price)
        if price == order.limit_price:
            return None
        pending.modifying = tick.exchange_ns
        return ModifyIntent(
            client_id=pending.client_id,
            symbol=self.symbol,
            limit_price=price,
            reason=f"modify: {decision.reason}",
        )

    # -- the venue stop ----------------------------------------------------------------------

    def _stop_level(self) -> tuple[str, Fraction] | None:
        """The position's stop now: the tightest of the exit rules' stop levels and the
        strategy's own stop, with what it is."""
        held, entry, state = self._position.quantity, self._position.average_entry, self._exit_state
        if held == 0 or entry is None or state is None:
            return None
        levels: list[tuple[str, Fraction]] = []
        rule = self.exit_rules.stop_level(held, entry, state)
        if rule is not None:
            levels.append((str(rule[0]), rule[1]))
        if self._own_stop is not None:
            levels.append(("strategy stop", Fraction(self._own_stop)))
        if not levels:
            return None
        direction = 1 if held > 0 else -1
        return max(levels, key=lambda level: level[1] * direction)

    def _place_stop(self, tick: Tick) -> OrderIntent | None:
        """The venue stop for the open position, when one is configured and none rests."""
        held = self._position.quantity
        if self._venue_stop is None or self._stop_withheld or held == 0:
            return None
        level = self._stop_level()
        if level is None:
            return None
        trigger = self._venue_stop.placement(held, level[1], tick.ltp)
        if trigger is None:
            return None
        reason = f"{STOP_REASON_PREFIX} {level[0]}"
        return self._intent(stop_side(held), abs(held), reason, tick, stop=trigger)

    def _about_stop(
        self,
        pending: PendingOrder,
        decision: Decision | None,
        exit_decision: ExitDecision | None,
        tick: Tick,
    ) -> CancelIntent | ModifyIntent | None:
        """While the venue stop rests: an exit for any reason but the stop itself cancels it
        first (the exit goes once the cancel is done: both at once could sell twice); a
        trailing stop that has moved a step moves the order."""
        if pending.cancel_sent:
            return pending.cancel_again(self.symbol, tick.exchange_ns)
        if self._position.quantity == 0:
            return None  # it filled: its end is on the way
        close = self._exit_wanted(decision, exit_decision, tick)
        if (
            close is not None
            and not self.exits_refused
            and tick.exchange_ns >= self._exits_held_until_ns
        ):
            pending.then = close
            return pending.cancel(
                self.symbol, f"{close.reason} (stop cancelled first)", tick.exchange_ns
            )
        level = self._stop_level()
        if self._venue_stop is None or level is None:
            return None
        return self._venue_stop.follow(pending, self.symbol, level, tick.ltp, tick.exchange_ns)

    def _exit_wanted(
        self, decision: Decision | None, exit_decision: ExitDecision | None, tick: Tick
    ) -> PendingExit | None:
        """An exit the resting stop does not make by itself: a target, a time stop, the
        strategy's exit or opposite entry. A stop level reached is the venue's to act on."""
        held = self._position.quantity
        if exit_decision is not None and not exit_decision.reason.is_stop:
            return PendingExit(exit_decision.quantity, f"exit: {exit_decision.reason}")
        if self._own_exit(tick.ltp) == "strategy target":
            return PendingExit(abs(held), "exit: strategy target")
        if decision is None or not self.warmed_up:
            return None
        if isinstance(decision, Exit):
            return PendingExit(abs(held), f"exit: {decision.reason}", decision)
        if isinstance(decision, Enter) and (held > 0) != (decision.side is Side.BUY):
            return PendingExit(abs(held), f"exit: {decision.reason}")
        return None

    def _own_exit(self, price: int) -> str | None:
        """The strategy's own stop or target for the open position, reached (inclusive)."""
        held = self._position.quantity
        if held == 0:
            return None
        direction = 1 if held > 0 else -1
        if self._own_stop is not None and price * direction <= self._own_stop * direction:
            return "strategy stop"
        if self._own_target is not None and price * direction >= self._own_target * direction:
            return "strategy target"
        return None

    def _close(
        self, quantity: int, reason: str, tick: Tick, how: Exit | None = None
    ) -> OrderIntent | None:
        side = Side.SELL if self._position.quantity > 0 else Side.BUY
        return self._intent(side, quantity, reason, tick, how)

    def _intent(
        self,
        side: Side,
        quantity: int,
        reason: str,
        tick: Tick,
        how: Enter | Exit | None = None,
        *,
        stop: int | None = None,
    ) -> OrderIntent | None:
        """An order and the pending slot it takes. ``stop``: the venue stop's trigger."""
        order_type, limit, trigger = OrderType.MARKET, None, None
        if stop is not None:
            assert self._venue_stop is not None
            order_type = self._venue_stop.order_type
            trigger, limit = self._venue_stop.prices(Fraction(stop), side)
        elif how is not None and how.order_type is OrderType.LIMIT:
            order_type = OrderType.LIMIT
            limit = self._passive(side, how.limit_price if how.limit_price else tick.ltp)
        elif how is not None and how.order_type is not OrderType.MARKET:
            self.dropped_decisions += 1  # stops are shikra's to place (exits, or the venue)
            return None
        client_id = f"{self.client_id_prefix}{self._next_seq:0{SEQ_DIGITS}d}"
        if len(client_id) > MAX_CLIENT_ID_LENGTH:
            raise ValueError(f"client id {client_id!r} exceeds {MAX_CLIENT_ID_LENGTH} characters")
        self._next_seq += 1
        self._pending = PendingOrder(
            client_id,
            order=WorkingOrder(
                client_id=client_id,
                side=side,
                quantity=quantity,
                order_type=order_type,
                limit_price=limit,
                entry=isinstance(how, Enter),
                trigger_price=trigger,
                protective=stop is not None,
            ),
            decided_ns=tick.exchange_ns,
            stop_price=how.stop_price if isinstance(how, Enter) else None,
            target_price=how.target_price if isinstance(how, Enter) else None,
        )
        return OrderIntent(
            client_id=client_id,
            symbol=self.symbol,
            side=side,
            quantity=quantity,
            order_type=order_type,
            limit_price=limit,
            trigger_price=trigger,
            product=self.product,
            reason=reason,
            origin_ns=tick.receive_ns,
            market_price=tick.ltp,
            market_ns=tick.exchange_ns,
        )

    def _passive(self, side: Side, price: int) -> int:
        """``price`` on the instrument's tick grid, rounded away from the market (a buy down,
        a sell up): never more aggressive than the strategy asked, and at least one tick."""
        tick = self.tick_size_paise
        rounded = price // tick * tick if side is Side.BUY else -(-price // tick) * tick
        return max(tick, rounded)

    def _better(self, best: int, price: int) -> int:
        """The more favourable of two prices for the open position."""
        return max(best, price) if self._position.quantity > 0 else min(best, price)

    def _clear_pending_if_finished(self) -> None:
        if self._pending is not None and self._pending.finished:
            self._pending = None
