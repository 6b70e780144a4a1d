#!/usr/bin/env python3
"""tests/view/view_test.py CASE LSTAR GUESTS WORKDIR [--out FILE] - `lstar view`
in a real browser (headless Chromium through tests/view/cdp.py): the page
made from real traces is opened from disk, clicked and read back from the
DOM.  Exit status 77 (ctest: SKIPPED) when no Chromium is installed.

Cases:
  click_write   click `write` in the strace panel: the selected instruction
                is the user SYSCALL, the next one is entry_SYSCALL_64 at CPL 0,
                and RCX holds the return address
  no_external   the page loads nothing but itself (the browser's network
                events and resource timing, and a scan of the file)
  keys          keyboard stepping: one instruction, syscall boundaries, CPL changes
  search        search by mnemonic, symbol and address
  diff          Intel against AMD: the first difference is marked where
                `lstar tracediff` finds it
  large         a long trace (700 000 records: scrolled through a scaled
                spacer, hundreds of snapshots) loads, selects and scrolls
  exercise      docs/exercises/06-view.md done in the page: its answers hold
  tasks         records with "tid": a timeline lane per task
  gaps          a --trace-syscalls trace (made by run --view) and a page fault
  screenshot    the picture in docs/view.png (--out FILE)
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def run(*args, **kw):
    return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def seed_view(lstar, guests, work, name="scall.html"):
    """The page of the seed program: the one the build made
    (build/docs/scall-view.html), or made the same way when it is missing
    or older than lstar."""
    built = os.path.join(os.path.dirname(lstar), "docs", "scall-view.html")
    if os.path.exists(built) and os.path.getmtime(built) >= os.path.getmtime(lstar):
        return built
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(work, name)
    r = run("sh", os.path.join(here, "..", "..", "scripts", "view-seed.sh"), lstar,
            os.path.join(guests, "scall"), out)
    check(r.returncode == 0, "view-seed.sh failed: " + r.stderr)
    return out


def trace(lstar, work, name, *args):
    path = os.path.join(work, name)
    r = run("env", "-i", lstar, "run", "--seed", "1", "--trace=" + path, "--trace-format", "jsonl", *args)
    check(r.returncode == 0, "lstar run %s: status %d %s" % (" ".join(args), r.returncode, r.stderr))
    return path


def view(lstar, out, *traces):
    r = run(lstar, "view", "-o", out, *traces)
    check(r.returncode == 0, "lstar view: status %d %s" % (r.returncode, r.stderr))
    return out


SEL = "document.querySelector('#list-0 .row.sel')"


def selected(b):
    return b.js("""(() => { const s = %s; if (!s) return null;
        const c = (r, k) => r.querySelector(k).textContent;
        const i = +s.dataset.i, n = document.querySelector('#list-0 .row[data-i="' + (i + 1) + '"]');
        return { i, seq: c(s, '.c-seq'), cpl: c(s, '.c-cpl'), sym: c(s, '.c-sym'), rip: s.querySelector('.c-sym').title,
                 asm: c(s, '.c-asm'), bytes: c(s, '.c-bytes'),
                 next: n && { cpl: c(n, '.c-cpl'), sym: c(n, '.c-sym'), asm: c(n, '.c-asm') } }; })()""" % SEL)


def reg(b, name, col=0):
    return b.js("(() => { const v = document.querySelectorAll('#state tr[data-f=\"%s\"] td.v'); "
                "return v.length > %d ? v[%d].textContent : null; })()" % (name, col, col))


def case_click_write(b, lstar, guests, work):
    page = seed_view(lstar, guests, work)
    b.open(page)
    # start somewhere else, so that the click has to move the selection
    b.key("Home")
    check(selected(b)["i"] == 0, "Home did not select the first record")
    b.click('#strace .call[data-name="write"]')
    s = selected(b)
    check(s is not None, "no selected row after the click")
    check(s["asm"] == "syscall" and s["bytes"] == "0f 05", "selected %r, not the SYSCALL" % s)
    check(s["cpl"] == "3", "the SYSCALL ran at CPL %s, not 3" % s["cpl"])
    # The walkthrough's table names the write's SYSCALL by sequence number
    # (scripts/walkthrough.sh keeps it current): the page must agree.
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "walkthrough.md")
    want = re.search(r"\| 2 \| user: `SYSCALL` \| `\s*(\d+) ", open(doc, encoding="utf-8").read()).group(1)
    check(s["seq"].replace(",", "") == want,
          "the write's SYSCALL is #%s, docs/walkthrough.md says %s" % (s["seq"], want))
    n = s["next"]
    check(n and n["sym"] == "entry_SYSCALL_64" and n["cpl"] == "0",
          "the next instruction is %r, not entry_SYSCALL_64 at CPL 0" % n)
    ret = int(s["rip"], 16) + 2
    check(reg(b, "rcx") == hex(ret), "RCX is %s, not the return address %s" % (reg(b, "rcx"), hex(ret)))
    check(reg(b, "r11") == "0x246", "R11 is %s, not the user's RFLAGS 0x246" % reg(b, "r11"))
    check(b.js("document.querySelector('#state tr[data-f=\"rcx\"]').classList.contains('c')"),
          "RCX is not highlighted as changed")
    text = b.js("document.querySelector('#state .explain').textContent")
    check("SYSCALL" in text and "RCX" in text and hex(ret) in text, "no SYSCALL explanation: %r" % text)
    check(b.js("document.querySelector('#strace .call.cur').dataset.name") == "write",
          "the strace panel does not mark the write as current")


def case_no_external(b, lstar, guests, work):
    page = seed_view(lstar, guests, work)
    html = open(page, encoding="utf-8").read()
    # the file itself: no URL, link, import or source outside the data
    code = re.sub(r'(<script type="application/(?:octet-stream|json)"[^>]*>)[^<]*(</script>)', r"\1\2", html)
    for pat in (r"https?:", r"ftp:", r"//[a-z0-9.-]+\.[a-z]{2,}/", r"<link\b", r"@import", r"url\(",
                r"<(?:img|iframe|object|embed|video|audio|source)\b", r"\ssrc\s*=", r"\bhref\s*=",
                r"\bfetch\(", r"XMLHttpRequest", r"WebSocket", r"importScripts", r"\bimport\("):
        m = re.search(pat, code, re.I)
        check(not m, "the page refers to something outside: %r near %r" % (pat, code[max(0, m.start() - 60):m.end() + 60] if m else ""))
    check("default-src 'none'" in html, "no Content-Security-Policy")
    b.open(page)
    b.click('#strace .call[data-name="write"]')
    b.key("s")
    b.key("c")
    time.sleep(0.3)
    reqs = [e["params"]["request"]["url"] for e in b.all_events("Network.requestWillBeSent")]
    check(reqs == [b.url], "requests besides the page itself: %r" % reqs)
    res = b.js("performance.getEntriesByType('resource').map(e => e.name)")
    check(res == [], "resources loaded: %r" % res)
    csp = [e for e in b.all_events("Log.entryAdded") if "Content Security Policy" in e["params"]["entry"].get("text", "")]
    check(not csp, "the page tried something the policy blocks: %r" % csp)


def case_keys(b, lstar, guests, work):
    page = seed_view(lstar, guests, work)
    b.open(page)
    b.click('#strace .call[data-name="write"]')
    i = selected(b)["i"]
    b.key("ArrowDown")
    s = selected(b)
    check(s["i"] == i + 1 and s["sym"] == "entry_SYSCALL_64", "ArrowDown: %r" % s)
    b.key("ArrowUp")
    check(selected(b)["i"] == i, "ArrowUp did not come back")
    b.key("s")   # next syscall boundary: the SYSRET of this write
    s = selected(b)
    check(s["asm"] == "sysret" and s["cpl"] == "0" and s["next"]["cpl"] == "3", "s: %r" % s)
    b.key("S")
    check(selected(b)["i"] == i, "S did not go back to the SYSCALL")
    b.key("ArrowUp")
    b.key("c")   # next CPL change: the record after the SYSCALL (CPL 0)
    s = selected(b)
    check(s["i"] == i + 1 and s["cpl"] == "0", "c: %r" % s)
    b.key("c")
    s = selected(b)
    check(s["cpl"] == "3", "c again: %r" % s)
    b.key("C")
    check(selected(b)["i"] == i + 1, "C did not go back")
    b.key("End")
    check(selected(b)["i"] == b.js("window.lstarView.n") - 1, "End")
    # the timeline: + halves what it shows, 0 shows the whole run again
    span = lambda: b.js("window.lstarView.timeline.v1 - window.lstarView.timeline.v0")
    whole = span()
    b.key("+")
    check(abs(span() - whole / 2) < 1, "+ did not zoom in: %r of %r" % (span(), whole))
    b.key("0")
    check(span() == whole, "0 did not show the whole run")
    # a click on the timeline selects the record under it
    x = b.js("(() => { const t = window.lstarView.timeline, r = t.c.getBoundingClientRect(); "
             "return [r.left + t.x(%d) + 0.5, r.top + t.lanes[0].y + 5]; })()" % (i // 2))
    b.click_at(x[0], x[1])
    got = selected(b)["i"]
    check(abs(got - i // 2) <= b.js("window.lstarView.n") / 1000, "timeline click: %d, not near %d" % (got, i // 2))


def case_search(b, lstar, guests, work):
    page = seed_view(lstar, guests, work)
    b.open(page)
    b.key("Home")
    b.key("/")
    b.type_text("swapgs")
    b.key("Enter")
    # the first match: a symbol or an instruction with "swapgs" in it; the
    # next ones reach the SWAPGS at entry_SYSCALL_64
    s = selected(b)
    check("swapgs" in s["asm"] or "swapgs" in s["sym"], "search swapgs: %r" % s)
    for _ in range(100):
        if s["sym"] == "entry_SYSCALL_64":
            break
        b.key("Enter")
        s = selected(b)
        check("swapgs" in s["asm"] or "swapgs" in s["sym"], "search swapgs, next: %r" % s)
    check(s["asm"] == "swapgs" and s["sym"] == "entry_SYSCALL_64", "search swapgs: %r" % s)
    check("found" in b.js("document.getElementById('search-info').textContent") or
          "of" in b.js("document.getElementById('search-info').textContent"), "no count")
    b.js("document.getElementById('search').value = ''")
    b.key("Escape")
    b.key("/")
    b.type_text("do_syscall_64")
    b.key("Enter")
    s = selected(b)
    check(s["sym"].startswith("do_syscall_64"), "search do_syscall_64: %r" % s)
    # by address: the SYSCALL of the write
    b.js("document.getElementById('search').value = ''")
    b.click('#strace .call[data-name="write"]')
    rip = selected(b)["rip"]
    b.key("Home")
    b.key("/")
    b.type_text(rip)
    b.key("Enter")
    s = selected(b)
    check(s["rip"] == rip, "search %s: %r" % (rip, s))


def case_diff(b, lstar, guests, work):
    scall = os.path.join(guests, "scall")
    a = trace(lstar, work, "intel.jsonl", scall)
    c = trace(lstar, work, "amd.jsonl", "--vendor", "amd", scall)
    td = run(lstar, "tracediff", a, c)
    m = re.search(r"^traces differ at line (\d+):", td.stdout, re.M)
    check(td.returncode == 1 and m, "tracediff: %r" % td.stdout[:300])
    line = int(m.group(1))
    page = view(lstar, os.path.join(work, "diff.html"), a, c)
    b.open(page)
    bar = b.js("document.getElementById('diffbar').textContent")
    check("line %s" % format(line, ",") in bar, "the diff bar %r does not name line %d" % (bar, line))
    check(b.js("window.lstarView.sel") == line - 1, "the page does not start at the first difference")
    s = selected(b)
    check(s["asm"] == "cpuid", "the first difference is at %r, not the CPUID" % s)
    check(b.js("document.querySelectorAll('.row.d').length") == 2, "the row is not marked in both lists")
    check(b.js("document.querySelectorAll('#state td.df').length") > 0, "no register marked as different")
    b.key("Home")
    b.key("d")
    check(b.js("window.lstarView.sel") == line - 1, "d does not go to the first difference")


def case_exercise(b, lstar, guests, work):
    """docs/exercises/06-view.md, done in the page: its answers must hold."""
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "exercises", "06-view.md")
    text = open(doc, encoding="utf-8").read()
    block = re.search(r"<!-- view-answers\n(.*?)-->", text, re.S).group(1)
    want = dict(line.split(" ", 1) for line in block.strip().splitlines())
    prose = re.sub(r"\s+", " ", text.split("<!-- view-answers")[0])
    updating = os.environ.get("LSTAR_VIEW_UPDATE") == "1"
    for v in want.values():
        check(updating or v in prose, "the answer %r is not in the solution's text" % v)
    page = seed_view(lstar, guests, work)
    b.open(page)
    got = {}
    b.click('#strace .call[data-name="write"]')                 # 1
    s = selected(b)
    check(s["asm"] == "syscall" and s["cpl"] == "3", "1: %r" % s)
    got["syscall_seq"], got["rcx"], got["r11"] = s["seq"], reg(b, "rcx"), reg(b, "r11")
    check(b.js("window.lstarView.traces[0].symbolize(...parseHex('%s'))" % got["rcx"]) == "syscall+0x64", "1: RCX")
    b.key("c")                                                   # 2
    s = selected(b)
    check(s["cpl"] == "0", "2: %r" % s)
    got["first_kernel"], got["user_rsp"] = s["sym"] + " " + s["asm"], reg(b, "rsp")
    check(b.js("document.querySelector('#state .stack h3').textContent").startswith("User stack"), "2: stack")
    for _ in range(20):                                          # 3
        b.key("ArrowDown")
        if reg(b, "rsp").startswith("0xffff"):
            break
    s = selected(b)
    got["stack_switch_seq"], got["stack_switch"], got["kernel_rsp"] = s["seq"], s["sym"], reg(b, "rsp")
    b.key("s")                                                   # 4
    s = selected(b)
    check(s["asm"] == "sysret" and s["next"]["cpl"] == "3" and s["next"]["sym"] == "syscall+0x64", "4: %r" % s)
    check(reg(b, "rcx") == want["rcx"] and reg(b, "r11") == want["r11"], "4: RCX/R11 at the SYSRET")
    got["sysret_seq"], got["sysret"] = s["seq"], s["sym"]
    got["kernel_insns"] = str(int(s["seq"].replace(",", "")) - int(got["syscall_seq"].replace(",", "")))
    if updating:
        # LSTAR_VIEW_UPDATE=1: write what the page shows into the exercise
        # (after a kernel change moved the numbers), prose and answers.
        def seqnum(v):
            return int(v.replace(",", ""))
        old_entry = "{:,}".format(seqnum(want["syscall_seq"]) + 1)
        new_entry = "{:,}".format(seqnum(got["syscall_seq"]) + 1)
        pairs = [(want[k], got[k]) for k in want if k in got and want[k] != got[k]]
        if old_entry != new_entry:
            pairs.append(("#" + old_entry + " ", "#" + new_entry + " "))
        for a, z in pairs:
            text = re.sub(r"(?<![0-9,])" + re.escape(a) + r"(?![0-9])", z, text)
        # the per-CPU area's address in the prose (gs:[0x8] is its second word)
        pcpu = run("nm", os.path.join(os.path.dirname(lstar), "kernel_model", "lstar-kernel.elf")).stdout
        m = re.search(r"^([0-9a-f]+) [bB] percpu$", pcpu, re.M)
        if m:
            text = re.sub(r"`R 0x[0-9a-f]+:8=", "`R 0x%x:8=" % (int(m.group(1), 16) + 8), text)
        open(doc, "w", encoding="utf-8").write(text)
        print("updated %s: %d values" % (doc, len(pairs)))
        return
    for k, v in want.items():
        check(got.get(k) == v, "%s: the page shows %r, docs/exercises/06-view.md says %r" % (k, got.get(k), v))


def case_tasks(b, lstar, guests, work):
    """A trace whose records carry "tid" (a kernel with several tasks will
    write them): one timeline lane per task, the task in the state panel."""
    src = trace(lstar, work, "t.jsonl", os.path.join(guests, "scall"))
    dst = os.path.join(work, "tid.jsonl")
    with open(src) as f, open(dst, "w") as g:
        for k, line in enumerate(f):
            tid = 1 if k < 20000 else 2 if k < 25000 else 1
            g.write(re.sub(r'^(\{"seq":\d+,)', r'\1"tid":%d,' % tid, line))
    page = view(lstar, os.path.join(work, "tid.html"), dst)
    b.open(page)
    check(b.js("window.lstarView.traces[0].tasks") == [1, 2], "tasks: %r" % b.js("window.lstarView.traces[0].tasks"))
    lanes = b.js("window.lstarView.timeline.lanes.map(l => l.label)")
    check("task 1" in lanes and "task 2" in lanes, "lanes: %r" % lanes)
    b.js("window.lstarView.select(22000, {center: true})")
    check("task 2" in b.js("document.querySelector('#state .where').textContent"), "no task in the state panel")


def case_gaps(b, lstar, guests, work):
    """A --trace-syscalls trace (gaps, each window with its "state") and a
    trace with a page fault (an exception record)."""
    t = os.path.join(work, "s.jsonl")
    r = run("env", "-i", lstar, "run", "--view=" + os.path.join(work, "s.html"), "--trace=" + t,
            "--trace-format", "jsonl", "--trace-syscalls", os.path.join(guests, "scall"))
    check(r.returncode == 0, "lstar run --trace-syscalls --view: %d %s" % (r.returncode, r.stderr))
    b.open(os.path.join(work, "s.html"))
    b.click('#strace .call[data-name="write"]')
    s = selected(b)
    check(s["asm"] == "syscall" and s["next"]["sym"] == "entry_SYSCALL_64", "write: %r" % s)
    check(reg(b, "rcx") == hex(int(s["rip"], 16) + 2), "RCX after the gap: %r" % reg(b, "rcx"))
    check(b.js("document.querySelectorAll('#state .unk').length") == 0, "unknown values after a window's state")
    # the page of a program killed by a page fault
    f = os.path.join(work, "f.jsonl")
    run(lstar, "run", "--trace=" + f, "--trace-format", "jsonl", os.path.join(guests, "fault"), "segv")
    b.open(view(lstar, os.path.join(work, "f.html"), f))
    b.key("End")
    b.key("E")
    s = selected(b)
    check(s["sym"].startswith("#PF vector 14"), "the last exception: %r" % s)
    text = b.js("document.querySelector('#state .explain').textContent")
    check("#PF" in text and "CR2" in text, "no explanation of the fault: %r" % text)


def case_large(b, lstar, guests, work):
    path = os.path.join(work, "large.jsonl")
    r = run(lstar, "run", "--max-insns", "700000", "--trace=" + path, "--trace-format", "jsonl",
            os.path.join(guests, "malloc-glibc"))
    check(r.returncode in (0, 124), "lstar run: %d %s" % (r.returncode, r.stderr))
    page = view(lstar, os.path.join(work, "large.html"), path)
    os.unlink(path)
    t = time.time()
    b.open(page, ready_timeout=120)
    print("large: %d records ready in %.2f s (page: %s ms)" % (b.js("window.lstarView.n"), time.time() - t,
          b.js("document.documentElement.dataset.loadMs")))
    n = b.js("window.lstarView.n")
    for i in (0, n // 2, n - 1, 12345):
        b.js("window.lstarView.select(%d, {center: true})" % i)
        s = selected(b)
        check(s and s["i"] == i, "select %d: %r" % (i, s))
    for _ in range(20):
        b.send("Input.dispatchMouseEvent", type="mouseWheel", x=700, y=500, deltaX=0, deltaY=600)
    rows = b.js("document.querySelectorAll('#list-0 .row[data-i]').length")
    check(rows > 10, "%d rows after scrolling" % rows)


def case_screenshot(b, lstar, guests, work, out):
    page = seed_view(lstar, guests, work)
    b.open(page)
    b.click('#strace .call[data-name="write"]')
    # the timeline from just before the program's first system call to the end
    b.js("(() => { const v = window.lstarView, t = v.traces[0]; v.timeline.setView(t.calls[0].s - 400, t.n); })()")
    b.js("document.activeElement && document.activeElement.blur()")
    b.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    b.screenshot(out)
    with open(out, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "not a PNG")


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    case, lstar, guests, work = sys.argv[1:5]
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(work, "view.png")
    lstar, guests = os.path.abspath(lstar), os.path.abspath(guests)
    work = os.path.abspath(os.path.join(work, case))
    os.makedirs(work, exist_ok=True)
    if not cdp.find_chromium():
        print("SKIPPED: no chromium (apt-get install chromium)")
        return cdp.SKIP
    fn = globals().get("case_" + case)
    if not fn:
        print("unknown case " + case)
        return 2
    try:
        with cdp.Browser(width=1600, height=1000) as b:
            if case == "screenshot":
                fn(b, lstar, guests, work, os.path.abspath(out))
            else:
                fn(b, lstar, guests, work)
            errors = b.all_events("Runtime.exceptionThrown")
            check(not errors, "JavaScript errors: %r" % [e["params"]["exceptionDetails"].get("exception", {}).get("description") for e in errors])
    except (Fail, cdp.CDPError) as e:
        print("FAIL (%s): %s" % (case, e))
        return 1
    print("ok (%s)" % case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
