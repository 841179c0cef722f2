"""Writes the README's `sh` blocks, in order, as one bash script for
.ci/readme: `python3 .ci/readme-blocks.py README.md BASE PASSWORD > script`.

A block right after an `<!-- readme-test: skip (why) -->` line is left out
(it serves until stopped, or is the test command itself); the script says
so. The walkthrough's address and password placeholder become the test
server's. Prints the number of blocks written on stderr.
"""

import re
import sys

readme, base, password = sys.argv[1:4]
lines = open(readme, encoding="utf-8").read().split("\n")
out = ["set -euo pipefail"]
blocks = skipped = 0
i = 0
while i < len(lines):
    if lines[i].strip() == "```sh":
        start = i + 1
        end = lines.index("```", start)
        previous = next((l for l in reversed(lines[:i]) if l.strip()), "")
        skip = re.match(r"<!-- readme-test: skip \((.*)\) -->", previous.strip())
        if skip:
            skipped += 1
            out.append(f"echo '== README line {start}: skipped ({skip.group(1)})'")
        else:
            blocks += 1
            body = "\n".join(lines[start:end])
            body = body.replace("http://127.0.0.1:8080", base).replace("THE-PRINTED-PASSWORD", password)
            out.append(f"echo '== README line {start}'")
            out.append(body)
            # Each answer printed ends its line, so the log reads as blocks.
            out.append("echo")
        i = end
    i += 1
print("\n".join(out))
print(f"{blocks} {skipped}", file=sys.stderr)
