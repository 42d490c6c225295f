"""The daemon: the actor tree built from a config (``topology``) and its life as a process
(``run``). Kept apart from ``supervisors/``, which is mechanism and knows no trading actor."""
