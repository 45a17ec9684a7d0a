#!/usr/bin/env python3
"""scale_message.py SAMPLE.edi N OUT.edi - one large message made from a sample, for how the
work of one message grows with its size (a vessel's whole manifest or loading report):

  samples/cuscar-d96a-manifest.edi: a CUSCAR with N bills of lading (SG6) and N containers (SG4),
      its header, N copies of its first container and of its first bill, each bill stowed in its
      own container (one SGP). Flow F1 joins bills and containers (/SG6[...=$bill], ...).
  samples/coarri-d96a-loading.edi: a COARRI with N containers (SG3), two to a bill of lading.
      Flow F4 joins each container's bill (/SG3[RFF/C506/1154=$bill], sum(...)).

  edigate translate OUT.edi -m cuscar-mt1101 ...   (or --to customs) for N = 500 ... 4000
"""
import re
import sys


def split(sample):
    text = open(sample, "rb").read().decode("latin-1").replace("\r", "").replace("\n", "")
    return [s for s in re.split(r"(?<!\?)'", text) if s]  # terminators that are not released ("?'" is data)


def until(segments, i, prefix):
    """segments[i:j] up to the first one from i starting with prefix, and j."""
    j = i
    while not segments[j].startswith(prefix):
        j += 1
    return segments[i:j], j


def cuscar(segments, n):
    head, i = until(segments, 0, "EQD")
    _, i = until(segments, i, "CNT")
    counts, i = until(segments, i, "CNI")
    bill, i = until(segments, i, "CNI+2")
    first = re.match(r"CNI\+1\+([^+']+)", bill[0]).group(1)
    body = head[:]
    for k in range(n):
        body += [f"EQD+CN+LHCU{k:07d}+45G1:102:5+2+3+5", "MEA+AAE+T+KGM:3900", f"SEL+LH{k:07d}+CA"]
    body += counts
    for k in range(n):
        sgp_done = False
        for s in bill:
            s = s.replace(f"CNI+1+{first}", f"CNI+{k + 1}+LHCL{k:010d}").replace(f"RFF+BM:{first}", f"RFF+BM:LHCL{k:010d}")
            if s.startswith("SGP+"):
                if sgp_done:
                    continue
                s, sgp_done = f"SGP+LHCU{k:07d}+36", True
            body.append(s)
    return body


def coarri(segments, n):
    head, i = until(segments, 0, "EQD")
    container, _ = until(segments, i + 1, "EQD")
    container = [segments[i]] + container
    number = container[0].split("+")[2]
    bill = next(s for s in container if s.startswith("RFF+BM:")).split(":")[1]
    body = head[:]
    for k in range(n):
        body += [s.replace(number, f"LHCU{k:07d}").replace(bill, f"LHCLB{k // 2:06d}") for s in container]
    return body + [f"CNT+16:{n}"]


def main():
    sample, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    segments = split(sample)
    unh = next(s for s in segments if s.startswith("UNH"))
    body = cuscar(segments, n) if "CUSCAR" in unh else coarri(segments, n) if "COARRI" in unh else sys.exit("a CUSCAR or COARRI sample")
    at = next(j for j, s in enumerate(body) if s.startswith("UNH"))
    body.append(f"UNT+{len(body) - at + 1}+{unh.split('+')[1]}")
    body += [s for s in segments if s.startswith("UNZ")]
    with open(out, "wb") as f:
        f.write(("'\n".join(body) + "'\n").encode("latin-1"))


if __name__ == "__main__":
    main()
