"""``policy-check completion bash|zsh|fish``: a shell completion script, made from the parser.

The script is generated from the same ``argparse`` parser the command runs, so it always
knows every subcommand, option and choice of the version installed: subcommands (and the
actions of ``history``), each command's options, the choices of an option or argument
(``--format``, ``--fail-on``, ``schema KIND``), and file names where a path is expected.
No library is needed: the parser already holds all of it.

Install (``docs/completion.md``)::

    policy-check completion bash > ~/.local/share/bash-completion/completions/policy-check
    policy-check completion zsh > "${fpath[1]}/_policy-check"
    policy-check completion fish > ~/.config/fish/completions/policy-check.fish
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

PROGRAM = "policy-check"
SHELLS = ("bash", "zsh", "fish")


@dataclass(slots=True)
class Command:
    """What completes after a command: its subcommands, options and arguments."""

    path: tuple[str, ...]  # ("history", "record"); () for the program itself
    help: str = ""
    subcommands: dict[str, Command] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # options that take no value
    # option -> its choices; [] for a file name; None for free text (a date, a number)
    valued: dict[str, list[str] | None] = field(default_factory=dict)
    positional_choices: list[str] = field(default_factory=list)
    positional_files: bool = False


def model(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), text: str = "") -> Command:
    """The parser as data: what each command accepts."""
    command = Command(path, text)
    for action in parser._actions:  # argparse has no public way to list them
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                command.subcommands[name] = model(sub, (*path, name), helps.get(name, ""))
        elif action.option_strings:
            names = [o for o in action.option_strings if o.startswith("--")] or list(
                action.option_strings
            )
            if action.nargs == 0:
                command.flags += names
            else:
                choices: list[str] | None = [str(c) for c in action.choices or ()]
                if not choices and not _takes_a_path(action):
                    choices = None
                for name in names:
                    command.valued[name] = choices
        elif action.choices:
            command.positional_choices += [str(c) for c in action.choices]
        else:
            command.positional_files = True
    return command


def _takes_a_path(action: argparse.Action) -> bool:
    """A value read as text or a path is a file name; a date, a number or ``FORMAT=PATH``,
    parsed by a function of its own, is not."""
    return action.type in (None, str, Path)


def _walk(command: Command) -> list[Command]:
    found = [command]
    for sub in command.subcommands.values():
        found += _walk(sub)
    return found


def bash(root: Command) -> str:
    """A bash completion function: finds the command words typed, then offers what follows."""
    cases = []
    for command in _walk(root):
        key = " ".join(command.path)
        words = [*command.flags, *command.valued]
        valued = [
            f"            {shlex.quote(option)}) {_bash_values(choices)}; return;;"
            for option, choices in command.valued.items()
        ]
        if command.positional_choices:
            rest = f'compgen -W {shlex.quote(" ".join(command.positional_choices))} -- "$cur"'
        elif command.positional_files:
            rest = 'compgen -f -- "$cur"'
        else:
            rest = "true"
        cases.append(
            f"        {shlex.quote(key)})\n"
            f'            case "$prev" in\n'
            + "\n".join(valued)
            + ("\n" if valued else "")
            + "            esac\n"
            f'            if [[ "$cur" == -* ]]; then\n'
            f'                COMPREPLY=($(compgen -W {shlex.quote(" ".join(words))} -- "$cur"))\n'
            f"            else\n"
            f"                COMPREPLY=($(compgen -W {shlex.quote(' '.join(command.subcommands))}"
            f' -- "$cur") $({rest}))\n'
            f"            fi;;"
        )
    commands = " ".join(shlex.quote(" ".join(c.path)) for c in _walk(root) if c.path)
    return f"""# bash completion for {PROGRAM} (policy-check completion bash)
_policy_check() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local path="" word candidate i
    local -a known=({commands})
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        candidate="${{path:+$path }}$word"
        for known_path in "${{known[@]}}"; do
            if [[ "$known_path" == "$candidate" ]]; then path="$candidate"; fi
        done
    done
    COMPREPLY=()
    case "$path" in
{chr(10).join(cases)}
    esac
}}
complete -o filenames -F _policy_check {PROGRAM}
"""


def _bash_values(choices: list[str] | None) -> str:
    if choices is None:
        return "COMPREPLY=()"
    if not choices:
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    return f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(choices))} -- "$cur"))'


def zsh(root: Command) -> str:
    """zsh runs the bash function through its bash-completion layer (``bashcompinit``)."""
    return (
        f"#compdef {PROGRAM}\n# zsh completion for {PROGRAM} (policy-check completion zsh)\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash(root).split("\n", 1)[1]
    )


def fish(root: Command) -> str:
    """One ``complete`` line per subcommand, option and choice, conditioned on the path."""
    lines = [f"# fish completion for {PROGRAM} (policy-check completion fish)"]
    lines.append(f"complete -c {PROGRAM} -f")
    for command in _walk(root):
        condition = _fish_condition(root, command)
        for name, sub in command.subcommands.items():
            description = shlex.quote(sub.help) if sub.help else "''"
            lines.append(f"complete -c {PROGRAM} -n {condition} -a {name} -d {description}")
        for flag in command.flags:
            lines.append(f"complete -c {PROGRAM} -n {condition} -l {flag.lstrip('-')}")
        for option, choices in command.valued.items():
            if choices is None:
                kind = "-x"
            else:
                kind = f"-x -a {shlex.quote(' '.join(choices))}" if choices else "-r -F"
            lines.append(f"complete -c {PROGRAM} -n {condition} -l {option.lstrip('-')} {kind}")
        if command.positional_choices:
            words = shlex.quote(" ".join(command.positional_choices))
            lines.append(f"complete -c {PROGRAM} -n {condition} -x -a {words}")
        elif command.positional_files and command.path:
            lines.append(f"complete -c {PROGRAM} -n {condition} -F")
    return "\n".join(lines) + "\n"


def _fish_condition(root: Command, command: Command) -> str:
    if not command.path:
        return shlex.quote("__fish_use_subcommand")
    seen = " && ".join(f"__fish_seen_subcommand_from {word}" for word in command.path)
    deeper = list(command.subcommands)
    if deeper:
        seen += f" && not __fish_seen_subcommand_from {' '.join(deeper)}"
    return shlex.quote(seen)


SCRIPTS = {"bash": bash, "zsh": zsh, "fish": fish}


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    return SCRIPTS[shell](model(parser))


def run(args: argparse.Namespace, out: TextIO, parser: argparse.ArgumentParser) -> int:
    out.write(script(args.shell, parser))
    return 0
