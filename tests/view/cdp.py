"""cdp.py - drive a headless Chromium through the DevTools protocol over
--remote-debugging-pipe (fd 3: commands in, fd 4: replies and events out,
messages separated by NUL bytes).  Python's standard library only: the
tests of `lstar view` (tests/view/view_test.py) open the real page with it,
click, press keys, read the DOM and take screenshots.
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

SKIP = 77   # ctest's SKIP_RETURN_CODE


def find_chromium():
    for name in (os.environ.get("LSTAR_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome", "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class CDPError(Exception):
    pass


class Browser:
    """One headless browser with one page (a flat session on a new target)."""

    def __init__(self, width=1600, height=1000, timeout=60):
        exe = find_chromium()
        if not exe:
            raise FileNotFoundError("chromium not found")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="lstar-cdp-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child():
            # copies first: a pipe end may itself be fd 3 or 4 (and close on exec)
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [exe, "--headless", "--remote-debugging-pipe", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--mute-audio",
                "--hide-scrollbars", "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (width, height)]
        if os.geteuid() == 0:
            args.append("--no-sandbox")   # Chromium refuses root otherwise
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args + ["about:blank"], preexec_fn=child, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.cv = threading.Condition()
        self.closed = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for dom in ("Page", "Runtime", "Network", "Log"):
            self.send(dom + ".enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                m = json.loads(msg)
                with self.cv:
                    if "id" in m:
                        self.replies[m["id"]] = m
                    else:
                        self.events.append(m)
                    self.cv.notify_all()
        with self.cv:
            self.closed = True
            self.cv.notify_all()

    def call(self, method, session=None, **params):
        with self.cv:
            self.next_id += 1
            mid = self.next_id
        msg = {"id": mid, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        end = time.time() + self.timeout
        with self.cv:
            while mid not in self.replies:
                if self.closed:
                    raise CDPError("chromium exited (see %s)" % self.log.name)
                left = end - time.time()
                if left <= 0:
                    raise CDPError("no reply to " + method)
                self.cv.wait(left)
            r = self.replies.pop(mid)
        if "error" in r:
            raise CDPError("%s: %s" % (method, r["error"].get("message")))
        return r.get("result", {})

    def send(self, method, **params):
        """A command to the page's session."""
        return self.call(method, session=self.session, **params)

    def wait_event(self, method, timeout=None):
        end = time.time() + (timeout or self.timeout)
        with self.cv:
            while True:
                for k, e in enumerate(self.events):
                    if e.get("method") == method:
                        return self.events.pop(k)
                left = end - time.time()
                if left <= 0 or self.closed:
                    raise CDPError("no " + method)
                self.cv.wait(left)

    def all_events(self, method):
        with self.cv:
            return [e for e in self.events if e.get("method") == method]

    def open(self, path, ready_timeout=None):
        """Navigate to a local file and wait until the page says it is ready."""
        url = "file://" + os.path.abspath(path)
        self.url = url
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired", ready_timeout)
        end = time.time() + (ready_timeout or self.timeout)
        while time.time() < end:
            state = self.js("document.documentElement.dataset.state || ''")
            if state == "ready":
                return
            if state == "error":
                raise CDPError("the page failed: " + self.js("document.getElementById('status').textContent"))
            time.sleep(0.05)
        raise CDPError("the page did not get ready")

    def js(self, expr):
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise CDPError("JS error in %r: %s" % (expr, r["exceptionDetails"].get("exception", {}).get("description")))
        return r["result"].get("value")

    def click_at(self, x, y):
        for t in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=t, x=x, y=y, button="left", clickCount=1)

    def click(self, selector):
        """Click the element's centre, as a user would (after scrolling it into view)."""
        box = self.js("""(() => { const e = document.querySelector(%s); if (!e) return null;
            e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; })()""" % json.dumps(selector))
        if not box:
            raise CDPError("nothing matches " + selector)
        self.click_at(box[0], box[1])

    def key(self, key, code=None, text=None, shift=False):
        mods = 8 if shift else 0
        p = {"key": key, "modifiers": mods}
        if code:
            p["code"] = code
        vk = {"ArrowDown": 40, "ArrowUp": 38, "Enter": 13, "Escape": 27, "PageDown": 34, "PageUp": 33,
              "Home": 36, "End": 35}.get(key)
        if vk:
            p["windowsVirtualKeyCode"] = vk
        if text is None and len(key) == 1:
            text = key
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text or "", **p)
        self.send("Input.dispatchKeyEvent", type="keyUp", **p)

    def type_text(self, s):
        self.send("Input.insertText", text=s)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
