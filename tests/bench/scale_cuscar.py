#!/usr/bin/env python3
"""scale_cuscar.py SAMPLE.edi N OUT.edi - one CUSCAR message with N bills of lading (SG6) and N
containers (SG4), made from SAMPLE's (samples/cuscar-d96a-manifest.edi): its header, N copies of
its first container and of its first bill, each bill stowed in its own container (one SGP).

For the scaling of one large message (a vessel's whole manifest), where flow F1's joins between
bills and containers (/SG6[...=$bill], /SG4[...=$container]) make the work grow with N x N or
worse: `edigate translate OUT.edi -m cuscar-mt1101 ...` for N = 100, 200, 400, 800 shows how.
"""
import re
import sys


def main():
    sample, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = open(sample, "rb").read().decode("latin-1").replace("\r", "").replace("\n", "")
    # terminators that are not released ("?'" is data)
    segments = [s for s in re.split(r"(?<!\?)'", text) if s]
    i = 0
    head = []
    while not segments[i].startswith("EQD"):
        head.append(segments[i])
        i += 1
    while not segments[i].startswith("CNT"):
        i += 1
    counts = []
    while not segments[i].startswith("CNI"):
        counts.append(segments[i])
        i += 1
    bill = []
    while not segments[i].startswith("CNI+2"):
        bill.append(segments[i])
        i += 1
    first_bill = re.match(r"CNI\+1\+([^+']+)", bill[0]).group(1)
    body = head[:]
    for k in range(n):
        body += [f"EQD+CN+LHCU{k:07d}+45G1:102:5+2+3+5", "MEA+AAE+T+KGM:3900", f"SEL+LH{k:07d}+CA"]
    body += counts
    for k in range(n):
        sgp_done = False
        for s in bill:
            s = s.replace(f"CNI+1+{first_bill}", f"CNI+{k + 1}+LHCL{k:010d}").replace(f"RFF+BM:{first_bill}", f"RFF+BM:LHCL{k:010d}")
            if s.startswith("SGP+"):
                if sgp_done:
                    continue
                s, sgp_done = f"SGP+LHCU{k:07d}+36", True
            body.append(s)
    unh = next(j for j, s in enumerate(body) if s.startswith("UNH"))
    reference = body[unh].split("+")[1]
    body.append(f"UNT+{len(body) - unh + 1}+{reference}")
    body += [s for s in segments if s.startswith("UNZ")]
    with open(out, "wb") as f:
        f.write(("'\n".join(body) + "'\n").encode("latin-1"))


if __name__ == "__main__":
    main()
