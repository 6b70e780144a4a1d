// emu/view/page/timeline.js - the whole run on one canvas: per trace a
// user lane and a kernel lane (when the CPU ran at CPL 3 and at CPL 0),
// the system calls as labelled spans from SYSCALL to the return to user
// mode, exceptions and interrupts as marks, one lane per task when the
// trace has task numbers, search matches, the selection and the first
// difference.  The x axis is the record index; the wheel zooms, dragging
// pans, a click selects.
'use strict';

const TL = {
  LABEL: 74, AXIS: 18, LANE: 16, CALLS: 20, EVENTS: 12, GAP: 6,
  COL: {
    user: '#2f7d32', kern: '#1d4ed8', mid: '#7c3aed', call: '#f59e0b', callSel: '#b45309',
    exc: '#c62828', sel: '#e11d48', vis: 'rgba(255, 214, 0, 0.25)', diff: '#c026d3',
    grid: '#eceff1', text: '#333', dim: '#888', match: '#0ea5e9', task: '#64748b',
  },
};

class Timeline {
  constructor(canvas, tip, traces, app) {
    this.c = canvas; this.tip = tip; this.traces = traces; this.app = app;
    this.n = Math.max(...traces.map((t) => t.n));
    this.v0 = 0; this.v1 = this.n;
    this.layout();
    this.drag = null;
    this.pending = false;
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    canvas.addEventListener('pointermove', (e) => this.onMove(e));
    canvas.addEventListener('pointerup', (e) => this.onUp(e));
    canvas.addEventListener('pointerleave', () => { this.tip.hidden = true; });
    canvas.addEventListener('dblclick', () => this.fit());
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement);
    this.resize();
  }
  layout() {
    // lanes: per trace [user, kernel, tasks..., calls, events]
    this.lanes = [];
    let y = TL.AXIS;
    for (const t of this.traces) {
      const pre = this.traces.length > 1 ? t.letter + ' ' : '';
      this.lanes.push({ t, kind: 'cpl', cpl: 3, y, h: TL.LANE, label: pre + 'user' });
      y += TL.LANE + 1;
      this.lanes.push({ t, kind: 'cpl', cpl: 0, y, h: TL.LANE, label: pre + 'kernel' });
      y += TL.LANE + 1;
      for (const task of t.tasks) {
        this.lanes.push({ t, kind: 'task', task, y, h: TL.LANE - 4, label: pre + 'task ' + task });
        y += TL.LANE - 3;
      }
      this.lanes.push({ t, kind: 'calls', y, h: TL.CALLS, label: pre + 'syscalls' });
      y += TL.CALLS + 1;
      this.lanes.push({ t, kind: 'events', y, h: TL.EVENTS, label: pre + 'events' });
      y += TL.EVENTS + TL.GAP;
    }
    this.height = y;
  }
  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.c.parentElement.clientWidth;
    this.c.style.height = this.height + 'px';
    this.c.width = Math.max(1, Math.floor(w * dpr));
    this.c.height = Math.floor(this.height * dpr);
    this.w = w;
    this.draw();
  }
  get plotW() { return Math.max(10, this.w - TL.LABEL - 8); }
  x(i) { return TL.LABEL + (i - this.v0) / (this.v1 - this.v0) * this.plotW; }
  indexAt(px) { return this.v0 + (px - TL.LABEL) / this.plotW * (this.v1 - this.v0); }
  setView(v0, v1) {
    const minSpan = Math.min(this.n, 20);
    let span = clamp(v1 - v0, minSpan, this.n);
    v0 = clamp(v0, 0, this.n - span);
    this.v0 = v0; this.v1 = v0 + span;
    this.draw();
  }
  zoom(f, at) {
    if (at === undefined) at = this.app.sel;
    const span = (this.v1 - this.v0) * f;
    const r = (at - this.v0) / (this.v1 - this.v0);
    this.setView(at - r * span, at - r * span + span);
  }
  fit() { this.setView(0, this.n); }
  // keep index i in view (pan to it when it is outside)
  reveal(i) {
    const span = this.v1 - this.v0;
    if (i < this.v0 || i >= this.v1) this.setView(i - span / 2, i + span / 2);
    else this.draw();
  }
  draw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.paint(); });
  }
  paint() {
    const g = this.c.getContext('2d'), dpr = window.devicePixelRatio || 1;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.w, this.height);
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    this.paintAxis(g);
    for (const L of this.lanes) {
      g.fillStyle = '#fafafa';
      g.fillRect(TL.LABEL, L.y, this.plotW, L.h);
      g.fillStyle = TL.COL.dim;
      g.textAlign = 'right';
      g.fillText(L.label, TL.LABEL - 6, L.y + L.h / 2);
      g.save();
      g.beginPath();
      g.rect(TL.LABEL, L.y, this.plotW, L.h);
      g.clip();
      if (L.kind === 'cpl') this.paintCpl(g, L);
      else if (L.kind === 'task') this.paintTask(g, L);
      else if (L.kind === 'calls') this.paintCalls(g, L);
      else this.paintEvents(g, L);
      g.restore();
    }
    // the rows the list shows, the selection, the first difference
    const app = this.app, top = TL.AXIS, bot = this.height - TL.GAP;
    g.save();
    g.beginPath();
    g.rect(TL.LABEL, 0, this.plotW, this.height);
    g.clip();
    if (app.visible) {
      const a = this.x(app.visible[0]), b = this.x(app.visible[1]);
      g.fillStyle = TL.COL.vis;
      g.fillRect(a, top, Math.max(2, b - a), bot - top);
    }
    if (app.matches && app.matches.length) {
      g.fillStyle = TL.COL.match;
      let last = -1;
      for (const m of app.matches) {
        const px = Math.floor(this.x(m));
        if (px === last || px < TL.LABEL || px > this.w) continue;
        last = px;
        g.fillRect(px, top - 5, 1, 5);
      }
    }
    if (app.diff >= 0) {
      const px = this.x(app.diff);
      g.fillStyle = TL.COL.diff;
      g.fillRect(px - 1, top, 2, bot - top);
      g.textAlign = 'left';
      g.fillText('first difference', px + 4, top + 6);
    }
    const sx = this.x(app.sel);
    g.fillStyle = TL.COL.sel;
    g.fillRect(sx - 0.5, 2, 1.5, bot);
    g.beginPath();
    g.moveTo(sx - 5, 1); g.lineTo(sx + 5, 1); g.lineTo(sx, 7);
    g.fill();
    g.restore();
  }
  paintAxis(g) {
    const span = this.v1 - this.v0, t0 = this.traces[0];
    const step0 = span / Math.max(1, this.plotW / 110);
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, step0))));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= step0) || p * 10;
    g.textAlign = 'left';
    for (let i = Math.ceil(this.v0 / step) * step; i < this.v1; i += step) {
      const px = Math.round(this.x(i)) + 0.5;
      g.fillStyle = TL.COL.grid;
      g.fillRect(px, TL.AXIS - 4, 1, this.height - TL.AXIS);
      g.fillStyle = TL.COL.dim;
      const idx = Math.min(t0.n - 1, Math.floor(i));
      g.fillText('#' + fmtInt(idx >= 0 ? t0.seq(idx) : i), px + 3, 8);
    }
  }
  // runs of one CPL, at least a pixel wide
  paintCpl(g, L) {
    const t = L.t, runs = t.runI, n = runs.length;
    let k = Math.max(0, bsearch(runs, this.v0));
    let lastPx = -1;
    g.fillStyle = L.cpl === 3 ? TL.COL.user : TL.COL.kern;
    for (; k < n && runs[k] < this.v1; k++) {
      const c = t.runC[k];
      if ((L.cpl === 3) !== (c === 3)) continue;
      if (L.cpl === 0 && c !== 0) g.fillStyle = TL.COL.mid;
      const a = this.x(runs[k]), b = this.x(k + 1 < n ? runs[k + 1] : t.n);
      const px = Math.floor(a), w = Math.max(1, Math.ceil(b) - px);
      if (px + w <= lastPx) continue;
      g.fillRect(px, L.y + 2, w, L.h - 4);
      lastPx = px + w;
      if (L.cpl === 0 && c !== 0) g.fillStyle = TL.COL.kern;
    }
  }
  paintTask(g, L) {
    const t = L.t, n = t.tidI.length;
    g.fillStyle = TL.COL.task;
    for (let k = Math.max(0, bsearch(t.tidI, this.v0)); k < n && t.tidI[k] < this.v1; k++) {
      if (t.tidV[k] !== L.task) continue;
      const a = this.x(t.tidI[k]), b = this.x(k + 1 < n ? t.tidI[k + 1] : t.n);
      g.fillRect(Math.floor(a), L.y + 2, Math.max(1, Math.ceil(b - a)), L.h - 4);
      // a context switch: a tick where another task took over
      if (k > 0) { g.fillStyle = '#000'; g.fillRect(Math.floor(a), L.y, 1, L.h); g.fillStyle = TL.COL.task; }
    }
  }
  paintCalls(g, L) {
    const t = L.t, calls = t.calls, app = this.app;
    const cur = t.callAt(app.sel);
    let lastPx = -1;
    g.textAlign = 'left';
    // calls are in order of their SYSCALL: from a little before the first
    // one that can reach into the view (a fork's call encloses its child's)
    for (let k = Math.max(0, bsearch(t.callS, this.v0) - 8); k < calls.length; k++) {
      const c = calls[k], e = c.e >= 0 ? c.e + 1 : t.n;
      if (c.s > this.v1) break;
      if (e < this.v0) continue;
      const a = this.x(c.s), b = this.x(e), w = Math.max(2, b - a);
      // whole pixels, each filled once (thousands of calls can share one)
      let p0 = Math.floor(a);
      const p1 = Math.max(p0 + 2, Math.ceil(a + w));
      if (p1 <= lastPx && c !== cur) continue;
      if (p0 < lastPx && c !== cur) p0 = lastPx;
      g.fillStyle = c === cur ? TL.COL.callSel : TL.COL.call;
      g.fillRect(p0, L.y + 2, p1 - p0, L.h - 4);
      lastPx = p1;
      const label = c.name;
      if (w > 14) {
        const tw = g.measureText(label).width;
        if (tw + 6 < w) {
          g.fillStyle = '#fff';
          g.fillText(label, Math.max(a, TL.LABEL) + 3, L.y + L.h / 2);
        }
      }
    }
  }
  paintEvents(g, L) {
    const t = L.t, ex = t.excB;
    g.fillStyle = TL.COL.exc;
    let lastPx = -1;
    for (let k = Math.max(0, bsearch(ex, this.v0)); k < ex.length && ex[k] < this.v1; k++) {
      const px = Math.floor(this.x(ex[k]));
      if (px === lastPx) continue;
      lastPx = px;
      g.beginPath();
      g.moveTo(px, L.y + 1); g.lineTo(px + 4, L.y + L.h - 1); g.lineTo(px - 4, L.y + L.h - 1);
      g.fill();
    }
  }
  laneAt(y) { return this.lanes.find((L) => y >= L.y && y < L.y + L.h); }
  onWheel(e) {
    e.preventDefault();
    const r = this.c.getBoundingClientRect(), px = e.clientX - r.left;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = (e.shiftKey ? e.deltaY : e.deltaX) / this.plotW * (this.v1 - this.v0);
      this.setView(this.v0 + d, this.v1 + d);
      return;
    }
    const f = Math.pow(1.0015, e.deltaY);
    this.zoom(f, clamp(this.indexAt(px), 0, this.n));
  }
  onDown(e) {
    this.c.setPointerCapture(e.pointerId);
    this.drag = { x: e.clientX, v0: this.v0, v1: this.v1, moved: false };
  }
  onMove(e) {
    const r = this.c.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top;
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      if (Math.abs(dx) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        const d = -dx / this.plotW * (this.drag.v1 - this.drag.v0);
        this.setView(this.drag.v0 + d, this.drag.v1 + d);
      }
      this.tip.hidden = true;
      return;
    }
    this.showTip(px, py);
  }
  onUp(e) {
    const d = this.drag;
    this.drag = null;
    if (!d || d.moved) return;
    const r = this.c.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top;
    if (px < TL.LABEL) return;
    const L = this.laneAt(py), i = Math.floor(clamp(this.indexAt(px), 0, this.n - 1));
    if (L && L.kind === 'calls') {
      const c = this.callNear(L.t, i, px);
      if (c) { this.app.select(c.s, { center: true }); return; }
    }
    if (L && L.kind === 'events') {
      const k = this.nearest(L.t.excB, i, px);
      if (k >= 0) { this.app.select(k, { center: true }); return; }
    }
    this.app.select(i, { center: true });
  }
  callNear(t, i, px) {
    const c = t.callAt(i);
    if (c) return c;
    // a span narrower than a pixel: the nearest start within 3 pixels
    const k = bsearch(t.callS, i);
    let best = null, bd = 4;
    for (let j = k - 2; j <= k + 3; j++) {
      if (j < 0 || j >= t.calls.length) continue;
      const d = Math.abs(this.x(t.calls[j].s) - px);
      if (d < bd) { bd = d; best = t.calls[j]; }
    }
    return best;
  }
  nearest(arr, i, px) {
    const k = bsearch(arr, i);
    let best = -1, bd = 5;
    for (const j of [k, k + 1]) {
      if (j < 0 || j >= arr.length) continue;
      const d = Math.abs(this.x(arr[j]) - px);
      if (d < bd) { bd = d; best = arr[j]; }
    }
    return best;
  }
  showTip(px, py) {
    const L = this.laneAt(py);
    if (px < TL.LABEL || !L) { this.tip.hidden = true; return; }
    const t = L.t, i = Math.floor(clamp(this.indexAt(px), 0, t.n - 1));
    let text = '#' + fmtInt(t.seq(i)) + '  CPL ' + t.cpl(i);
    if (L.kind === 'calls') {
      const c = this.callNear(t, i, px);
      if (c) text = '#' + fmtInt(c.seq) + '  ' + (c.text || c.name + '()') +
        '\n' + (c.e >= 0 ? fmtInt(c.e - c.s) + ' records in the kernel' : 'did not return');
    } else if (L.kind === 'events') {
      const k = this.nearest(t.excB, i, px);
      if (k >= 0) { const x = t.excByI.get(k); text = '#' + fmtInt(x.seq) + '  ' + (x.name || x.event) + (x.vector !== undefined ? ' vector ' + x.vector : ''); }
    } else if (L.kind === 'task') {
      text += '  task ' + t.tid(i);
    } else if (t.kind(i) === K_INSN) {
      const k = t.ins[i];
      text += '  ' + (t.iSym[k] || t.iRip[k]) + '  ' + t.iAsm[k];
    }
    this.tip.textContent = text;
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth;
    this.tip.style.left = Math.min(px + 12, this.w - tw - 4) + 'px';
    this.tip.style.top = (py + 14) + 'px';
  }
}
