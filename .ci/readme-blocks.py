"""Writes the README's `sh` blocks, in order, as one bash script for
.ci/readme: `python3 .ci/readme-blocks.py README.md BASE PASSWORD > script`.

A block right after an `<!-- readme-test: skip (why) -->` line is left out
(it serves until stopped, or is the test command itself); the script says
so. The walkthrough's address and password placeholder become the test
server's. Prints the number of blocks written on stderr.
"""

import re
import shlex
import sys

readme, base, password = sys.argv[1:4]
lines = open(readme, encoding="utf-8").read().split("\n")
out = ["set -euo pipefail"]
blocks = skipped = 0
i = 0
while i < len(lines):
    if lines[i].strip() == "```sh":
        start = i + 1
        # A block in a list item is indented, its fence too.
        end = next(j for j in range(start, len(lines)) if lines[j].strip() == "```")
        previous = next((l for l in reversed(lines[:i]) if l.strip()), "")
        skip = re.match(r"<!-- readme-test: skip \((.*)\) -->", previous.strip())
        if skip:
            skipped += 1
            out.append("echo " + shlex.quote(f"== README line {start}: skipped ({skip.group(1)})"))
        else:
            blocks += 1
            indent = len(lines[i]) - len(lines[i].lstrip())
            body = "\n".join(l[indent:] if l[:indent].isspace() else l for l in lines[start:end])
            body = body.replace("http://127.0.0.1:8080", base).replace("THE-PRINTED-PASSWORD", password)
            out.append(f"echo '== README line {start}'")
            out.append(body)
            # Each answer printed ends its line, so the log reads as blocks.
            out.append("echo")
        i = end
    i += 1
print("\n".join(out))
print(f"{blocks} {skipped}", file=sys.stderr)
