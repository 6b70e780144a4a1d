#!/usr/bin/env python3
"""tests/view/blob.py PAGE.html - what a page of `lstar view` holds, as JSON:
per trace the number of records, distinct instructions, system calls (name,
first record, strace line), exceptions; and the head (names, first
difference).  The layout is emu/view/view_int.h's.  For tests/view/check.sh.
"""
import base64
import json
import re
import struct
import sys
import zlib


def traces(html):
    head = json.loads(re.search(r'<script type="application/json" id="lstar-head">(.*?)</script>', html, re.S).group(1))
    out = []
    for m in re.finditer(r'<script type="application/octet-stream" id="lstar-data-(\d+)" data-size="(\d+)">([^<]*)</script>', html):
        blob = zlib.decompress(base64.b64decode(m.group(3)))
        if len(blob) != int(m.group(2)):
            raise SystemExit("data-size %s, blob %d bytes" % (m.group(2), len(blob)))
        magic, ver, mlen = blob[:4], *struct.unpack("<II", blob[4:12])
        if magic != b"LSTV" or ver != 1:
            raise SystemExit("bad blob header")
        meta = json.loads(blob[12:12 + mlen])
        base = (12 + mlen + 7) & ~7
        sec = {k: blob[base + o:base + o + n] for k, (o, n) in meta["sec"].items()}
        n = meta["n"]
        for k in ("rk", "nops", "nmem"):
            if len(sec[k]) != n:
                raise SystemExit("section %s: %d bytes for %d records" % (k, len(sec[k]), n))
        if len(sec["ins"]) != meta["insw"] * n:
            raise SystemExit("section ins has the wrong size")
        out.append({
            "name": meta["name"], "records": n, "insns": len(meta["insn"]["rip"]),
            "calls": [{"name": c[4], "start": c[0], "end": c[1], "seq": c[2], "text": c[5]} for c in meta["calls"]],
            "exceptions": len(meta["exc"]), "kernel_records": sum(1 for b in sec["rk"] if b & 3 == 0),
            "snapshots": len(sec["snaps"]) // (4 * (6 + 2 * meta["nf"])),
        })
    return head, out


if __name__ == "__main__":
    head, t = traces(open(sys.argv[1], encoding="utf-8").read())
    print(json.dumps({"head": head, "traces": t}, indent=1))
