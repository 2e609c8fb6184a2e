"""The questions review asks: one key answers (prompt_toolkit), yes/no through questionary."""

from __future__ import annotations

import questionary
from prompt_toolkit import PromptSession
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import create_output
from prompt_toolkit.output.vt100 import Vt100_Output


class Prompter:
    """Single-key questions through prompt_toolkit (the answer needs no Enter), yes/no
    through questionary. ``input``/``output`` are for tests (a pipe and DummyOutput)."""

    def __init__(self, input=None, output=None) -> None:
        self.input, self.output = input, output

    def _terminal(self):
        """The output to draw on. It never asks the terminal where the cursor is: a one-line
        prompt does not need to know, and a terminal that does not answer (tmux setups,
        pexpect, some CI shells) would get prompt_toolkit's CPR warning after 2 s."""
        if self.output is None:
            self.output = create_output()
            if isinstance(self.output, Vt100_Output):
                self.output.enable_cpr = False
        return self.output

    def key(self, message: str, keys: str, default: str | None) -> str:
        """One of ``keys``, or ``default`` for Enter ("" when there is none: no answer)."""
        kb = KeyBindings()

        @kb.add(Keys.Any)
        def _ignore(event) -> None:  # any other key: no answer, nothing typed
            pass

        def answer(k: str):
            def handler(event) -> None:
                event.app.current_buffer.text = k  # left on screen, as git add -p echoes it
                event.app.exit(result=k)

            return handler

        for k in keys:
            kb.add(k)(answer(k))
            if k.isalpha():
                kb.add(k.upper())(answer(k))
        kb.add("enter")(answer(default or ""))  # "": no answer (a new fix has no default)
        kb.add("c-d")(answer("q"))  # end of input: stop, like git add -p

        @kb.add("c-c")
        def _interrupt(event) -> None:
            event.app.exit(exception=KeyboardInterrupt)

        session = PromptSession(input=self.input, output=self._terminal())
        return session.prompt(message, key_bindings=kb)

    def confirm(self, message: str) -> bool:
        return questionary.confirm(
            message, default=True, auto_enter=True, input=self.input, output=self._terminal()
        ).unsafe_ask()

