"""What tools/bench/tables and tools/bench/runs share: markdown tables, time
and percentage formats, and a generated block of a docs file.

A block lies between a `<!-- NAME: ARGUMENTS -->` line and a
`<!-- end NAME -->` line. The first records the arguments of the call that
wrote it, so a script can write the block again from them (--into FILE) or
check that it still matches them (--check FILE). Input paths are taken as
they are written, relative to the directory the script runs in: the
repository's root. A docs module: Python 3 and its standard library only;
no build or unit test depends on it (CI checks the pages with it).
"""

import argparse
import shlex
import sys


def table(header, rows, align=None):
    align = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_time(seconds):
    us = seconds * 1e6
    if us >= 10000:
        return f"{us / 1000:.1f} ms"
    if us >= 100:
        return f"{us:.0f} µs"
    return f"{us:.1f} µs"


def pct(fraction):
    return "–" if fraction is None else f"{100 * fraction:.1f}%"


class Block:
    """The block named `name` of a docs file."""

    def __init__(self, name, prog):
        self.start_mark = f"<!-- {name}: "
        self.end_mark = f"<!-- end {name} -->"
        self.prog = prog

    def find(self, text, path):
        """The lines of text, the two markers' indices, and the recorded arguments."""
        lines = text.splitlines(keepends=True)
        start = next((i for i, l in enumerate(lines) if l.startswith(self.start_mark)), None)
        end = next((i for i, l in enumerate(lines) if l.startswith(self.end_mark)), None)
        if start is None or end is None or end < start:
            sys.exit(f"{self.prog}: {path} has no '{self.start_mark}ARGUMENTS -->' ... "
                     f"'{self.end_mark}' lines")
        recorded = lines[start].strip()[len(self.start_mark):-len("-->")].strip()
        return lines, start, end, shlex.split(recorded)

    def splice(self, lines, start, end, argv, body):
        mark = self.start_mark + " ".join(shlex.quote(a) for a in argv) + " -->\n"
        return "".join(lines[:start]) + mark + "\n" + body + "\n" + "".join(lines[end:])


def run(block, parse, render, argv_of, has_inputs):
    """The scripts' main: parse the command line (parse(argv) -> namespace with
    into and check), take the recorded arguments for --check or for --into
    without inputs, render(args) the block's text, then print it, write it
    into the file, or compare it with the file's."""
    args = parse(sys.argv[1:])
    if args.check and has_inputs(args):
        sys.exit(f"{block.prog}: --check takes its inputs from the marker; give none")
    target = args.into or args.check
    if target:
        with open(target, encoding="utf-8") as f:
            text = f.read()
        lines, start, end, recorded = block.find(text, target)
    if not has_inputs(args) or args.check:
        argv = recorded
        args = argparse.Namespace(**{**vars(parse(recorded)), "into": args.into,
                                     "check": args.check})
    else:
        argv = argv_of(args)
    body = render(args)
    if not target:
        sys.stdout.write(body)
        return
    new = block.splice(lines, start, end, argv, body)
    if args.check:
        if new != text:
            sys.exit(f"{block.prog}: {target}'s block differs from what its recorded "
                     f"arguments give; rerun with --into")
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(new)
