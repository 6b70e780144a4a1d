// emu/view/page/main.js - lstar view's page: reads its data, builds the
// timeline, the strace view, the list and the state panel, and keeps one
// selection for all of them; keys, search, the first difference.
// document.documentElement.dataset.state is "ready" once everything is
// drawn (the browser tests wait for it) or "error".
'use strict';

class App {
  constructor(head, traces) {
    this.head = head;
    this.traces = traces;
    this.n = Math.max(...traces.map((t) => t.n));
    this.sel = 0;
    this.diff = head.diff && head.diff.index >= 0 ? head.diff.index : -1;
    this.visible = null;
    this.matchSet = null;
    this.matches = null;
    this.query = '';
    document.body.classList.toggle('two', traces.length > 1);
    this.title();
    this.timeline = new Timeline($('#tl'), $('#tl-tip'), traces, this);
    this.strace = new StracePanel($('#strace'), traces, this);
    this.state = new StatePanel($('#state'), traces, this);
    this.list = new InstrList($('#lists'), traces, this);
    this.bind();
    if (head.diff) this.diffBar();
    // start at the first system call: the interesting part
    const t = traces[0];
    const start = this.diff >= 0 ? this.diff : t.calls.length ? t.calls[0].s : 0;
    this.select(start, { center: true });
  }
  title() {
    const t = this.traces, T = $('#title');
    T.textContent = '';
    t.forEach((x, k) => {
      if (k) T.appendChild(document.createTextNode('  vs  '));
      T.appendChild(el('b', '', x.name));
      T.appendChild(document.createTextNode(' ' + fmtInt(x.n) + ' records, ' + fmtInt(x.calls.length) +
        ' system calls, ' + fmtInt(x.exc.length) + ' exceptions'));
    });
  }
  diffBar() {
    const bar = $('#diffbar'), d = this.head.diff;
    bar.hidden = false;
    $('#b-diff').hidden = this.diff < 0;
    bar.textContent = this.diff < 0 ? 'A and B are the same, record for record' :
      'First difference at line ' + fmtInt(d.line) + ' (record ' + fmtInt(d.index) + '): ' + d.what;
    bar.id = 'diffbar';
    if (this.diff >= 0) {
      const b = el('button', '', 'go there (d)');
      b.addEventListener('click', () => this.select(this.diff, { center: true }));
      bar.appendChild(b);
    }
  }
  // the one selection: list, timeline, panels follow
  select(i, o) {
    o = o || {};
    this.sel = clamp(Math.floor(i), 0, this.n - 1);
    this.list.reveal(this.sel, !!o.center);
    this.timeline.reveal(this.sel);
    this.strace.update(this.sel);
    this.state.update(this.sel);
    const t = this.traces[0];
    $('#status').textContent = 'record ' + fmtInt(this.sel) + ' of ' + fmtInt(this.n) +
      (this.sel < t.n ? '  \u00b7  #' + fmtInt(t.seq(this.sel)) + '  \u00b7  CPL ' + t.cpl(this.sel) : '');
  }
  onVisible(first, last) {
    this.visible = [first, last];
    if (this.timeline) this.timeline.draw();
  }
  // the next (dir 1) or previous (-1) entry of a sorted index array
  jump(arr, dir) {
    const k = bsearch(arr, this.sel);
    let j = dir > 0 ? k + 1 : (k >= 0 && arr[k] === this.sel ? k - 1 : k);
    if (j >= 0 && j < arr.length) this.select(arr[j]);
  }
  // boundaries of all traces together (two traces: either may stop)
  merged(name) {
    if (this.traces.length === 1) return this.traces[0][name];
    const key = '_m_' + name;
    if (!this[key]) this[key] = Float64Array.from(new Set([...this.traces[0][name], ...this.traces[1][name]])).sort();
    return this[key];
  }
  key(e) {
    if (e.target.tagName === 'INPUT') {
      if (e.key === 'Enter') { this.searchNext(e.shiftKey ? -1 : 1); e.preventDefault(); }
      if (e.key === 'Escape') { e.target.blur(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const help = $('#help');
    let done = true;
    switch (e.key) {
      case 'ArrowDown': case 'j': this.select(this.sel + 1); break;
      case 'ArrowUp': case 'k': this.select(this.sel - 1); break;
      case 'PageDown': this.select(this.sel + this.list.pageRows()); break;
      case 'PageUp': this.select(this.sel - this.list.pageRows()); break;
      case 'Home': this.select(0); break;
      case 'End': this.select(this.n - 1); break;
      case 's': this.jump(this.merged('sysB'), 1); break;
      case 'S': this.jump(this.merged('sysB'), -1); break;
      case 'c': this.jump(this.merged('cplB'), 1); break;
      case 'C': this.jump(this.merged('cplB'), -1); break;
      case 'e': this.jump(this.merged('excB'), 1); break;
      case 'E': this.jump(this.merged('excB'), -1); break;
      case 'd': if (this.diff >= 0) this.select(this.diff, { center: true }); break;
      case '+': case '=': this.timeline.zoom(0.5); break;
      case '-': case '_': this.timeline.zoom(2); break;
      case '0': this.timeline.fit(); break;
      case '/': $('#search').focus(); $('#search').select(); break;
      case '?': help.hidden = !help.hidden; break;
      case 'Escape': help.hidden = true; break;
      default: done = false;
    }
    if (done) e.preventDefault();
  }
  bind() {
    document.addEventListener('keydown', (e) => this.key(e));
    const on = (id, f) => $(id).addEventListener('click', f);
    on('#b-next-sys', () => this.jump(this.merged('sysB'), 1));
    on('#b-prev-sys', () => this.jump(this.merged('sysB'), -1));
    on('#b-next-cpl', () => this.jump(this.merged('cplB'), 1));
    on('#b-prev-cpl', () => this.jump(this.merged('cplB'), -1));
    on('#b-diff', () => this.select(this.diff, { center: true }));
    on('#b-help', () => { $('#help').hidden = !$('#help').hidden; });
    $('#help').addEventListener('click', () => { $('#help').hidden = true; });
    const s = $('#search');
    s.addEventListener('input', () => this.search(s.value));
  }
  // search: an address ("0x401522", or hex digits) matches RIP exactly,
  // anything else a symbol or the instruction text (case-insensitive)
  search(q) {
    q = q.trim();
    this.query = q;
    const t = this.traces[0], info = $('#search-info');
    if (!q) { this.matchSet = null; this.matches = null; info.textContent = ''; this.list.render(); this.timeline.draw(); return; }
    const ni = t.iRip.length, set = new Uint8Array(ni);
    const addr = /^(0x)?[0-9a-f]{4,16}$/i.test(q) ? BigInt('0x' + q.replace(/^0x/i, '')) : null;
    const text = !/^0x/i.test(q), ql = q.toLowerCase();
    let any = 0;
    for (let k = 0; k < ni; k++) {
      if ((addr !== null && BigInt(t.iRip[k]) === addr) ||
          (text && (t.iSym[k].toLowerCase().includes(ql) || t.iAsm[k].includes(ql)))) { set[k] = 1; any++; }
    }
    const m = [];
    if (any) {
      const ins = t.ins, rk = t.rk;
      for (let i = 0; i < t.n; i++) if (set[ins[i]] && (rk[i] & 12) === 0) m.push(i);
    }
    this.matchSet = set;
    this.matches = Float64Array.from(m);
    info.textContent = m.length ? fmtInt(m.length) + ' found' : 'not found';
    this.list.render();
    this.timeline.draw();
  }
  searchNext(dir) {
    if (this.query !== $('#search').value.trim()) this.search($('#search').value);
    const m = this.matches;
    if (!m || !m.length) return;
    const k = bsearch(m, this.sel);
    let j = dir > 0 ? k + 1 : (k >= 0 && m[k] === this.sel ? k - 1 : k);
    if (j >= m.length) j = 0;
    if (j < 0) j = m.length - 1;
    this.select(m[j], { center: true });
    $('#search-info').textContent = (j + 1) + ' of ' + fmtInt(m.length);
  }
}

async function main() {
  const root = document.documentElement;
  const t0 = performance.now();
  try {
    if (typeof DecompressionStream === 'undefined')
      throw new Error('this browser has no DecompressionStream: use a current Chrome, Firefox or Safari');
    const head = JSON.parse($('#lstar-head').textContent);
    const traces = [], times = {};
    for (let k = 0; k < head.traces.length; k++) {
      let t = performance.now();
      const blob = await loadBlob('lstar-data-' + k);
      times['inflate' + k] = performance.now() - t;
      t = performance.now();
      traces.push(new Trace(blob, 'AB'[k]));
      times['tables' + k] = performance.now() - t;
    }
    let t = performance.now();
    window.lstarView = new App(head, traces);
    times.ui = performance.now() - t;
    window.lstarTimes = times;
    root.dataset.loadMs = Math.round(performance.now() - t0);
    // ready once the first frame with everything is painted
    requestAnimationFrame(() => requestAnimationFrame(() => { root.dataset.state = 'ready'; }));
  } catch (err) {
    root.dataset.state = 'error';
    const st = $('#status');
    st.textContent = 'cannot show the trace: ' + err.message;
    st.className = 'err';
    $('#title').textContent = 'error';
    console.error(err);
  }
}

main();
