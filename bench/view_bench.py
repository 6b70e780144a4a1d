#!/usr/bin/env python3
"""bench/view_bench.py PAGE.html [REPS] - how fast a page of `lstar view`
loads and reacts in headless Chromium (tests/view/cdp.py): per run, the
time from navigation to the page's "ready" (everything drawn), the page's
own account of it (inflating the data, the tables, the first drawing), and
then what one update costs: the page's script and the layout it causes
(jumping, scrolling, stepping the selection, drawing the timeline; the
browser's painting comes on top).  Prints one line
per run; asserts nothing.  Exit status 77 without Chromium.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "view"))
import cdp  # noqa: E402

PROBE = """(async () => {
  const v = window.lstarView, L = v.list, n = v.n, r = {};
  const idle = () => new Promise((ok) => setTimeout(ok, 0));
  // one update = the page's script plus the style and layout it causes
  // (forced here by reading a size); painting comes on top
  const time = async (f, count) => {
    let sum = 0, worst = 0;
    for (let k = 0; k < count; k++) {
      await idle();
      const a = performance.now();
      f(k);
      void document.body.offsetHeight;
      const d = performance.now() - a;
      sum += d;
      worst = Math.max(worst, d);
    }
    return [sum / count, worst];
  };
  // the list jumps to random places (a drag of the scrollbar)
  [r.jump, r.jumpWorst] = await time(() => L.setVtop(Math.floor(Math.random() * n) * 20), 100);
  // the list scrolls by 3 rows at a time (the wheel)
  const s0 = Math.floor(n / 3) * 20;
  [r.scroll, r.scrollWorst] = await time((k) => L.setVtop(s0 + k * 60), 100);
  // the selection steps one record (list, timeline, strace view, state and stack)
  v.select(Math.floor(n / 2), { center: true });
  [r.step, r.stepWorst] = await time(() => v.select(v.sel + 1), 100);
  // the timeline is drawn again (zoom, pan)
  [r.paint, r.paintWorst] = await time(() => v.timeline.paint(), 50);
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
                  "first drawing %.0f ms); one update, script + layout: jump %.1f ms (worst %.0f), "
                  "scroll %.1f ms (worst %.0f), step %.1f ms (worst %.0f), timeline %.1f ms (worst %.0f)"
                  % (rep + 1, n, ready, times["inflate0"], times["tables0"], times["ui"],
                     p["jump"], p["jumpWorst"], p["scroll"], p["scrollWorst"], p["step"], p["stepWorst"],
                     p["paint"], p["paintWorst"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
