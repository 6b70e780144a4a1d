// emu/view/page/list.js - the instruction list, virtualised: only the
// rows on screen exist, filled from the cursor (emu/view/page/data.js)
// when the list scrolls.  A list taller than a browser lets an element be
// is scrolled through a shorter spacer, scaled.  Two traces get two lists
// that scroll together, row k of one beside row k of the other.
'use strict';

const ROW_H = 20;
const MAX_SPACER = 12000000;   // px: browsers cap element heights near 33 M

class InstrList {
  constructor(parent, traces, app) {
    this.traces = traces; this.app = app;
    this.n = Math.max(...traces.map((t) => t.n));
    this.panes = [];
    this.two = traces.length > 1;
    this.syncing = false;
    for (const t of traces) this.panes.push(this.makePane(parent, t));
    this.first = 0;
    this.top = 0;
    new ResizeObserver(() => this.resize()).observe(parent);
    this.resize();
  }
  makePane(parent, t) {
    const root = el('div', 'list' + (this.two ? ' two' : ''));
    root.id = 'list-' + (t.letter === 'A' ? 0 : 1);
    root.tabIndex = 0;
    if (this.two) root.appendChild(el('div', 'lname', t.letter + ': ' + t.name));
    const head = el('div', 'lhead');
    for (const [c, txt] of [['c-seq', 'seq'], ['c-cpl', 'CPL'], ['c-sym', 'symbol'], ['c-bytes', 'bytes'],
      ['c-asm', 'instruction'], ['c-chg', 'what it changed']]) head.appendChild(el('span', c, txt));
    root.appendChild(head);
    const scroll = el('div', 'lscroll');
    const rows = el('div', 'lrows');
    const inner = el('div', 'lrows-in');
    rows.appendChild(inner);
    const spacer = el('div', 'lspacer');
    scroll.appendChild(rows);
    scroll.appendChild(spacer);
    root.appendChild(scroll);
    parent.appendChild(root);
    const pane = { t, root, scroll, rows, inner, spacer };
    scroll.addEventListener('scroll', () => this.onScroll(pane));
    inner.addEventListener('click', (e) => {
      const r = e.target.closest('.row');
      if (r && r.dataset.i !== undefined) this.app.select(+r.dataset.i, { fromList: true });
    });
    return pane;
  }
  resize() {
    const p0 = this.panes[0];
    this.vh = p0.scroll.clientHeight;
    this.nrows = Math.ceil(this.vh / ROW_H) + 2;
    const total = this.n * ROW_H;
    this.spacerH = Math.min(total, MAX_SPACER);
    // the sticky rows take the viewport's height: the spacer adds the rest
    for (const p of this.panes) p.spacer.style.height = Math.max(0, this.spacerH - this.vh) + 'px';
    if (this.centered !== undefined) this.reveal(this.centered, true);
    else this.render();
  }
  // virtual pixel offset <-> scrollTop
  get scale() {
    const total = this.n * ROW_H;
    return total > this.spacerH ? (total - this.vh) / Math.max(1, this.spacerH - this.vh) : 1;
  }
  // the scroll position as last set or seen (reading scrollTop would force
  // a layout of the whole page in the middle of a selection change)
  vtop() { return this.top * this.scale; }
  onScroll(p) {
    if (this.syncing) return;
    this.centered = undefined;
    if (this.two) {
      this.syncing = true;
      for (const q of this.panes) if (q !== p) q.scroll.scrollTop = p.scroll.scrollTop;
      this.syncing = false;
    }
    this.top = p.scroll.scrollTop;
    this.render(this.top * this.scale);
  }
  setVtop(v) {
    const max = Math.max(0, this.n * ROW_H - this.vh);
    v = clamp(v, 0, max);
    const st = v / this.scale;
    this.top = st;
    this.syncing = true;
    for (const p of this.panes) p.scroll.scrollTop = st;
    this.syncing = false;
    this.render(v);
  }
  // make row i visible; center: put it in the middle
  reveal(i, center) {
    this.centered = center ? i : undefined;
    const top = this.vtop(), rows = Math.floor(this.vh / ROW_H);
    const first = Math.floor(top / ROW_H);
    if (!center && i > first && i < first + rows - 1) { this.mark(); return; }
    if (center) this.setVtop(i * ROW_H - this.vh / 2 + ROW_H / 2);
    else if (i <= first) this.setVtop(i * ROW_H - ROW_H);
    else this.setVtop((i + 2) * ROW_H - this.vh);
  }
  // the selection moved within the rows on screen: only the classes change
  mark() {
    for (const p of this.panes) {
      for (const r of p.inner.querySelectorAll('.row.sel')) r.classList.remove('sel');
      const r = p.inner.querySelector('.row[data-i="' + this.app.sel + '"]');
      if (r) r.classList.add('sel');
    }
  }
  pageRows() { return Math.max(1, Math.floor(this.vh / ROW_H) - 1); }
  render(v) {
    if (v === undefined) v = this.vtop();
    const first = Math.floor(v / ROW_H), off = v - first * ROW_H;
    this.first = first;
    for (const p of this.panes) {
      p.inner.style.transform = 'translateY(' + (-off) + 'px)';
      this.fill(p, first);
    }
    const last = Math.min(this.n, first + Math.floor(this.vh / ROW_H));
    this.app.onVisible(first, last);
  }
  // the rows on screen, as one piece of HTML (faster than changing
  // hundreds of cells one by one)
  fill(p, first) {
    const t = p.t, app = this.app, cur = t.cur, anchor = t.anchor;
    const end = Math.min(t.n, first + this.nrows);
    if (first < end) { anchor.seek(first); cur.copyFrom(anchor); }
    const html = [];
    for (let k = 0; k < this.nrows; k++) {
      const i = first + k;
      if (i >= t.n) {
        html.push(i < this.n ? '<div class="row empty"></div>' : '<div class="row"></div>');
        continue;
      }
      cur.read();
      const kind = t.kind(i), cpl = t.cpl(i);
      let cls = 'row ' + (cpl === 3 ? 'u' : 'k'), sym, bytes = '', asm, title = '';
      if (kind === K_INSN) {
        const x = t.ins[i], c = t.iCls[x];
        if (c === C_SYSCALL || c === C_SYSRET || (c === C_IRET && this.returnsToUser(cur))) cls += ' b';
        sym = t.hSym[x];
        title = t.iRip[x];
        bytes = t.iBytes[x];
        asm = t.hAsm[x];
        if (app.matchSet && app.matchSet[x]) cls += ' m';
      } else {
        cls += ' x';
        const e = t.excByI.get(i) || {};
        sym = escHtml(kind === K_EXC ? (e.name || '#?') + ' vector ' + e.vector + (e.soft ? ' (INT)' : '') : String(e.event || 'event'));
        asm = escHtml(kind === K_EXC ? 'at ' + (e.at || '?') + (e.error ? ' error=' + e.error : '') +
          (e.cr2 ? ' cr2=' + e.cr2 : '') + ' \u2192 ' + (e.handler || '?') : '');
      }
      if (i === app.sel) cls += ' sel';
      if (i === app.diff) cls += ' d';
      html.push('<div class="', cls, '" data-i="', i, '"><span class="c-seq">', fmtInt(t.seq(i)),
        '</span><span class="c-cpl">', cpl, '</span><span class="c-sym" title="', title, '">', sym,
        '</span><span class="c-bytes">', bytes, '</span><span class="c-asm">', asm,
        '</span><span class="c-chg">', changesHtml(t, cur), '</span></div>');
      cur.commit();
    }
    p.inner.innerHTML = html.join('');
  }
  returnsToUser(cur) {
    for (let k = 0; k < cur.nCh; k++) if (cur.chF[k] === F_CPL && cur.chLo[k] === 3) return true;
    return false;
  }
}

// What a record changed, the text format's way: "rcx=0x6→0x401524 rflags=…
// -IF cpl=3→0 cs=0x33→0x10 … W 0x…:8=0x…".  The cursor is after read().
function changesHtml(t, cur) {
  const st = cur.st, out = [];
  for (let k = 0; k < cur.nCh; k++) {
    const f = cur.chF[k], lo = cur.chLo[k], hi = cur.chHi[k];
    const old = hex(st[2 * f], st[2 * f + 1]), nw = hex(lo, hi);
    const name = t.fields[f];
    if (f === F_CPL) out.push('<span class="chg-c">cpl=' + st[2 * f] + '\u2192' + lo + '</span>');
    else if (f === F_RFLAGS) out.push('rflags=' + old + '\u2192' + nw + ' ' + flagChanges(st[2 * f], lo));
    else if (f >= F_SEG && f < F_SYS && (f - F_SEG) % 4 === 0) out.push(name.replace('.sel', '') + '=' + old + '\u2192' + nw);
    else if (f >= F_SYS) out.push('<span class="chg-c">' + name + '=' + old + '\u2192' + nw + '</span>');
    else out.push(name + '=' + old + '\u2192' + nw);
  }
  for (let k = 0; k < cur.nMem; k++) {
    const w = cur.mW[k];
    out.push('<span class="' + (w ? 'chg-w' : 'chg-r') + '">' + (w ? 'W ' : 'R ') +
      hex(cur.mAlo[k], cur.mAhi[k]) + ':' + cur.mSize[k] + '=' + hex(cur.mVlo[k], cur.mVhi[k]) + '</span>');
  }
  if (cur.dropped) out.push('(+' + cur.dropped + ' more accesses)');
  return out.join(' ');
}
