#!/usr/bin/env python3
"""bench/view_bench.py PAGE.html [REPS] - how fast a page of `lstar view`
loads and reacts in headless Chromium (tests/view/cdp.py): per run, the
time from navigation to the page's "ready" (everything drawn), the page's
own account of it (inflating the data, the tables, the first drawing), and
then the time one selection step and one scroll step take in the page's
JavaScript (the browser's layout and paint come on top).  Prints one line
per run; asserts nothing.  Exit status 77 without Chromium.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "view"))
import cdp  # noqa: E402

PROBE = """(async () => {
  const v = window.lstarView, L = v.list, n = v.n, r = {};
  const frame = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  // scrolling: 200 steps of 3 rows at random places, each waited out to the
  // next frame (so layout and paint are in the time)
  let t0 = performance.now(), worst = 0;
  for (let k = 0; k < 100; k++) {
    const a = performance.now();
    L.setVtop(Math.floor(Math.random() * n) * 20);
    await frame();
    worst = Math.max(worst, performance.now() - a);
  }
  r.jump = (performance.now() - t0) / 100;
  r.jumpWorst = worst;
  t0 = performance.now(); worst = 0;
  const s0 = Math.floor(n / 3) * 20;
  for (let k = 0; k < 100; k++) {
    const a = performance.now();
    L.setVtop(s0 + k * 60);
    await frame();
    worst = Math.max(worst, performance.now() - a);
  }
  r.scroll = (performance.now() - t0) / 100;
  r.scrollWorst = worst;
  // stepping: the selection moves one record (list, timeline, state panel, stack)
  v.select(Math.floor(n / 2), { center: true });
  await frame();
  t0 = performance.now(); worst = 0;
  for (let k = 0; k < 50; k++) {
    const a = performance.now();
    v.select(v.sel + 1);
    await frame();
    worst = Math.max(worst, performance.now() - a);
  }
  r.step = (performance.now() - t0) / 50;
  r.stepWorst = worst;
  return r;
})()"""


def main():
    page = os.path.abspath(sys.argv[1])
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not cdp.find_chromium():
        print("no chromium: apt-get install chromium")
        return cdp.SKIP
    for rep in range(reps):
        with cdp.Browser(width=1600, height=1000, timeout=300) as b:
            t = time.time()
            b.open(page, ready_timeout=300)
            ready = time.time() - t
            times = b.js("window.lstarTimes")
            n = b.js("window.lstarView.n")
            p = b.js(PROBE)
            print("run %d: %d records, ready %.2f s after navigation (page: inflate %.0f ms, tables %.0f ms, "
                  "first drawing %.0f ms); per frame: jump %.1f ms (worst %.0f), scroll %.1f ms (worst %.0f), "
                  "step %.1f ms (worst %.0f)" % (rep + 1, n, ready, times["inflate0"], times["tables0"], times["ui"],
                                                 p["jump"], p["jumpWorst"], p["scroll"], p["scrollWorst"],
                                                 p["step"], p["stepWorst"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
