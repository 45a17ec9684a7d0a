#!/usr/bin/env python3
"""replicate_edifact.py SAMPLE.edi MB OUT.edi - an interchange of about MB megabytes made of SAMPLE's
first message repeated, each copy with its own UNH reference (UNT and UNZ counts kept right).

For translation benchmarks: gen_edifact.py's messages are realistic for parsing and validation but
lack what agency targets require (per-bill ports, freight terms), so every one of them would stop
at EDI-M002; the hand-written sample carries all of it.
"""
import sys


def main():
    sample, mb, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    text = open(sample, "rb").read().decode("latin-1")
    una = text[:9] if text.startswith("UNA") else ""
    # Split at terminators that are not released ("?'" is data), as the sample's UNA says.
    segments, current, i = [], "", len(una)
    while i < len(text):
        c = text[i]
        if c == "?" and i + 1 < len(text):
            current += text[i:i + 2]
            i += 2
            continue
        if c == "'":
            segments.append(current.strip("\r\n"))
            current = ""
        else:
            current += c
        i += 1
    unb = next(s for s in segments if s.startswith("UNB"))
    start = next(i for i, s in enumerate(segments) if s.startswith("UNH"))
    end = next(i for i, s in enumerate(segments) if s.startswith("UNT"))
    body = segments[start + 1:end]
    target = int(mb * 1_000_000)
    parts = [una, unb + "'\n"]
    size, n = len(una) + len(unb) + 2, 0
    while size < target:
        n += 1
        ref = "M%08d" % n
        msg = "UNH+%s+%s'\n" % (ref, segments[start].split("+", 2)[2]) + "".join(s + "'\n" for s in body) + \
              "UNT+%d+%s'\n" % (len(body) + 2, ref)
        parts.append(msg)
        size += len(msg)
    ref = unb.split("+")[5] if len(unb.split("+")) > 5 else "1"
    parts.append("UNZ+%d+%s'\n" % (n, ref))
    open(out, "wb").write("".join(parts).encode("latin-1"))
    print(f"{out}: {n} messages, {size} bytes")


if __name__ == "__main__":
    main()
