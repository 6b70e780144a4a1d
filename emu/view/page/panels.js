// emu/view/page/panels.js - the panels beside the list: the strace view
// (a click goes to the call's SYSCALL) and the machine state after the
// selected instruction: general registers, RFLAGS decoded, segments,
// control registers and the SYSCALL MSRs, what changed highlighted, the
// stack around RSP, and for SYSCALL, SYSRET, IRETQ, SWAPGS and exceptions
// a few lines on what the instruction just did (docs/syscall.md).
'use strict';

// The system calls of each trace, one entry a call (two lines at most; the
// whole line in its tooltip), virtualised like the instruction list: a
// program can make tens of thousands of calls.
const CALL_H = 36;

class StracePanel {
  constructor(node, traces, app) {
    this.node = node; this.traces = traces; this.app = app;
    this.pane = node.parentElement;
    this.entries = [];
    for (const t of traces) {
      if (traces.length > 1) this.entries.push({ head: t.letter + ': ' + t.name });
      const list = t.calls.map((c) => ({ i: c.s, c, t })).concat(t.info.map((x) => ({ i: x.i, x, t })));
      list.sort((a, b) => a.i - b.i || (a.c ? -1 : 1));
      if (!list.length) list.push({ text: 'no system calls in this trace' });
      for (const e of list) {
        if (e.c) e.c.entry = this.entries.length;
        this.entries.push(e);
      }
    }
    this.spacer = el('div');
    this.rows = el('div');
    this.rows.style.position = 'absolute';
    this.rows.style.left = this.rows.style.right = '0';
    node.style.position = 'relative';
    node.appendChild(this.spacer);
    node.appendChild(this.rows);
    this.spacer.style.height = this.entries.length * CALL_H + 'px';
    this.cur = [];
    this.top = 0;
    this.pane.addEventListener('scroll', () => { this.top = this.pane.scrollTop; this.render(); });
    new ResizeObserver(() => { this.vh = this.pane.clientHeight; this.render(); }).observe(this.pane);
    this.vh = 600;
    node.addEventListener('click', (e) => {
      const d = e.target.closest('.call');
      if (d) app.select(+d.dataset.i, { center: true });
    });
  }
  render() {
    const head = 28;   // the panel's sticky title
    const first = Math.max(0, Math.floor((this.top - head) / CALL_H));
    const last = Math.min(this.entries.length, first + Math.ceil(this.vh / CALL_H) + 2);
    const cur = new Set(this.cur), html = [];
    for (let k = first; k < last; k++) {
      const e = this.entries[k];
      if (e.head) html.push('<div class="thead">', escHtml(e.head), '</div>');
      else if (e.c) {
        const c = e.c, text = c.text || c.name + '(\u2026)' + (c.e < 0 ? ' = ?' : '');
        const tip = '[' + c.seq + '] ' + text + '\nSYSCALL #' + c.seq +
          (c.e >= 0 ? ', back in user mode ' + (c.e - c.s) + ' records later' : ', did not return');
        html.push('<div class="call', cur.has(c) ? ' cur' : '', '" data-t="', e.t.letter, '" data-i="', c.s,
          '" data-name="', escHtml(c.name), '" title="', escHtml(tip), '"><span class="n">[', c.seq, '] </span>',
          escHtml(text), '</div>');
      } else html.push('<div class="info">', escHtml(e.x ? e.x.text : e.text), '</div>');
    }
    this.rows.style.top = first * CALL_H + 'px';
    this.rows.innerHTML = html.join('');
  }
  update(sel) {
    const now = [];
    for (const t of this.traces) {
      const c = t.callAt(sel);
      if (c) now.push(c);
    }
    const moved = now[0] && now[0] !== this.cur[0];
    this.cur = now;
    if (moved) {
      // keep the current call in view
      const y = now[0].entry * CALL_H;
      if (y < this.top || y + CALL_H > this.top + this.vh - 40) {
        this.top = Math.max(0, y - this.vh / 3);
        this.pane.scrollTop = this.top;
      }
    }
    this.render();
  }
}

// rows of the state table: [label, field name, decoder]
const STATE_ROWS = {
  gpr: REGS.map((r) => [r.toUpperCase(), r]),
  sys: [['CR0', 'cr0', (v) => bitNames(v[0], CR0_BITS)], ['CR2', 'cr2'],
    ['CR3', 'cr3'], ['CR4', 'cr4', (v) => bitNames(v[0], CR4_BITS)],
    ['EFER', 'IA32_EFER', (v) => bitNames(v[0], EFER_BITS)],
    ['STAR', 'IA32_STAR', (v) => 'SYSCALL cs=' + hex(v[1] & 0xfffc) + ' ss=' + hex((v[1] & 0xffff) + 8) +
      ', SYSRET cs=' + hex(((v[1] >>> 16) + 16) | 3) + ' ss=' + hex(((v[1] >>> 16) + 8) | 3)],
    ['LSTAR', 'IA32_LSTAR', (v, t) => t.symbolize(v[0], v[1])],
    ['FMASK', 'IA32_FMASK', (v) => v[0] ? 'clears ' + flagNames(v[0]).join(' ') : ''],
    ['KERNEL_GS_BASE', 'IA32_KERNEL_GS_BASE'], ['CSTAR', 'IA32_CSTAR'],
    ['GDTR.base', 'gdtr.base'], ['IDTR.base', 'idtr.base']],
};

// Built once; a new selection only changes texts and classes (rebuilding
// a few hundred elements at every step made the browser lay the page out
// again each time).
class StatePanel {
  constructor(node, traces, app) {
    this.node = node; this.traces = traces; this.app = app;
    this.two = traces.length > 1;
    this.where = el('div', 'where');
    this.explainBox = el('div');
    node.appendChild(this.where);
    node.appendChild(this.explainBox);
    this.tables = [];
    this.table('Registers after this instruction', STATE_ROWS.gpr);
    this.flagsSec();
    const segRows = [];
    for (const sg of ['cs', 'ss', 'ds', 'es', 'fs', 'gs']) {
      segRows.push([sg.toUpperCase(), sg + '.sel', (v) => 'RPL ' + (v[0] & 3)]);
      segRows.push([sg.toUpperCase() + '.base', sg + '.base']);
    }
    this.table('Segments', segRows);
    this.table('Control registers and MSRs', STATE_ROWS.sys);
    this.stackSec();
  }
  table(title, rows) {
    const sec = el('div', 'sec');
    sec.appendChild(el('h3', '', title + (this.two ? '  (A | B)' : '')));
    const tb = el('table');
    for (const [label, f, dec] of rows) {
      const tr = el('tr');
      tr.dataset.f = f;
      tr.appendChild(el('th', '', label));
      const cells = this.traces.map(() => tr.appendChild(el('td', 'v')));
      const note = tr.appendChild(el('td', 'o'));
      tb.appendChild(tr);
      this.tables.push({ tr, f, dec, cells, note });
    }
    sec.appendChild(tb);
    this.node.appendChild(sec);
  }
  flagsSec() {
    const sec = el('div', 'sec');
    sec.appendChild(el('h3', '', 'RFLAGS'));
    this.flagRows = this.traces.map(() => {
      const row = el('div', 'flags where');
      row.dataset.f = 'rflags';
      const val = row.appendChild(el('b'));
      const spans = FLAG_BITS.map(([, n]) => row.appendChild(el('span', '', n)));
      const iopl = row.appendChild(el('span', 'on'));
      sec.appendChild(row);
      return { row, val, spans, iopl };
    });
    this.node.appendChild(sec);
  }
  stackSec() {
    const sec = el('div', 'sec stack');
    this.stackTitle = sec.appendChild(el('h3'));
    const tb = sec.appendChild(el('table'));
    this.stackRows = [];
    for (let q = 0; q < 16; q++) {
      const tr = tb.appendChild(el('tr'));
      this.stackRows.push({ tr, a: tr.appendChild(el('td', 'a')), v: tr.appendChild(el('td', 'v')),
        s: tr.appendChild(el('td', 's')) });
    }
    this.stackNote = sec.appendChild(el('div', 'note'));
    this.node.appendChild(sec);
  }
  update(i) {
    const S = this.traces.map((t) => (i < t.n ? t.cur2.at(i) : null));
    const k0 = S[0] ? 0 : 1, main = S[k0], t = this.traces[k0];
    if (!main) return;
    // where: the instruction, the CPL, the call, the task
    const w = this.where, cpl = t.cpl(i);
    w.textContent = '';
    w.appendChild(el('span', 'cplb ' + (cpl === 3 ? 'u' : 'k'), 'CPL ' + cpl));
    w.appendChild(document.createTextNode(' #' + fmtInt(t.seq(i)) + '  ' + describe(t, i)));
    const c = t.callAt(i);
    if (c) w.appendChild(el('div', '', 'in system call ' + c.name + ' (SYSCALL #' + fmtInt(c.seq) + ')'));
    if (t.tasks.length) w.appendChild(el('div', '', 'task ' + t.tid(i)));
    this.explainBox.textContent = '';
    const ex = explain(t, i, main);
    if (ex) this.explainBox.appendChild(ex);
    for (const row of this.tables) this.fillRow(row, S, k0);
    this.fillFlags(S);
    this.fillStack(t, i, main);
  }
  fillRow(row, S, k0) {
    let changed = false;
    S.forEach((s, k) => {
      const td = row.cells[k], t = this.traces[k], f = t.fieldIndex.get(row.f);
      td.className = 'v';
      td.title = '';
      if (!s) { td.textContent = ''; return; }
      if (!s.known[f]) { td.innerHTML = '<span class="unk">?</span>'; td.title = 'not in the trace yet'; return; }
      const v = fieldVal(s.after, f);
      td.textContent = hex(v[0], v[1]);
      if (s.ch.some((c) => c.f === f)) {
        changed = true;
        const o = fieldVal(s.before, f);
        td.title = 'was ' + (s.knownBefore[f] ? hex(o[0], o[1]) : '?');
      }
      const other = S[1 - k];
      if (other && other.known[f]) {
        const x = fieldVal(other.after, f);
        if (x[0] !== v[0] || x[1] !== v[1]) td.classList.add('df');
      }
    });
    row.tr.classList.toggle('c', changed);
    const s = S[k0], t = this.traces[k0], f = t.fieldIndex.get(row.f);
    let note = '';
    if (s.known[f]) {
      const v = fieldVal(s.after, f);
      if (row.dec) note = row.dec(v, t);
      else if (row.f.startsWith('r') && !this.two) note = t.symbolize(v[0], v[1]);
      if (changed && !this.two) {
        const o = fieldVal(s.before, f);
        note = 'was ' + (s.knownBefore[f] ? hex(o[0], o[1]) : '?') + (note ? '  ' + note : '');
      }
    }
    row.note.textContent = note;
    row.note.title = note;
  }
  fillFlags(S) {
    S.forEach((s, k) => {
      const r = this.flagRows[k], f = F_RFLAGS;
      r.row.hidden = !s;
      if (!s) return;
      const v = s.after[2 * f], o = s.before[2 * f], ch = s.ch.some((c) => c.f === f);
      r.val.textContent = (this.two ? this.traces[k].letter + ' ' : '') + (s.known[f] ? hex(v) : '?') + '  ';
      FLAG_BITS.forEach(([b], q) => {
        r.spans[q].className = ((v >>> b) & 1 ? 'on' : '') + (ch && ((v ^ o) >>> b) & 1 ? ' fc' : '');
      });
      r.iopl.textContent = 'IOPL=' + ((v >>> 12) & 3);
    });
  }
  fillStack(t, i, s) {
    const rsp = fieldVal(s.after, 4);
    this.stackTitle.textContent = (isKernelAddr(rsp[1]) ? 'Kernel' : 'User') + ' stack around RSP';
    if (!s.known[4]) {
      for (const r of this.stackRows) r.tr.hidden = true;
      this.stackNote.textContent = 'RSP is not known yet';
      return;
    }
    const m = t.stackMem(i, rsp[0], rsp[1]);
    // slots from RSP + 0x58 down to RSP - 0x20
    this.stackRows.forEach((r, q) => {
      const off = (11 - q) * 8;
      const p = m.at + off;   // byte offset of the slot in m
      const alo = (rsp[0] + off) >>> 0;
      const ahi = off >= 0 ? (alo < rsp[0] ? rsp[1] + 1 : rsp[1]) >>> 0 : (alo > rsp[0] ? rsp[1] - 1 : rsp[1]) >>> 0;
      r.tr.hidden = false;
      r.tr.className = off === 0 ? 'rsp' : '';
      r.a.textContent = (off === 0 ? 'rsp\u2192 ' : (off > 0 ? '+' : '-') + Math.abs(off).toString(16).padStart(2, '0') + ' ') + hex(alo, ahi);
      let known = 0, lo = 0, hi = 0;
      for (let b = 0; b < 8; b++) {
        if (!m.known[p + b]) continue;
        known++;
        if (b < 4) lo |= m.val[p + b] << (8 * b); else hi |= m.val[p + b] << (8 * (b - 4));
      }
      let text;
      if (known === 8) text = hex(lo >>> 0, hi >>> 0);
      else if (!known) text = '??';
      else {
        text = '0x';
        for (let b = 7; b >= 0; b--) text += m.known[p + b] ? m.val[p + b].toString(16).padStart(2, '0') : '??';
      }
      r.v.textContent = text;
      r.s.textContent = r.s.title = known === 8 ? t.symbolize(lo >>> 0, hi >>> 0) : '';
    });
    this.stackNote.textContent = 'values as the trace\u2019s reads and writes show them; ?? = not accessed in the ' +
      fmtInt(STACK_LOOKBACK) + ' records before';
  }
}

// "entry_SYSCALL_64+0x3  mov gs:[0x0], rsp" or the exception
function describe(t, i) {
  if (t.kind(i) === K_INSN) {
    const k = t.ins[i];
    return (t.iSym[k] || t.iRip[k]) + '  ' + t.iAsm[k];
  }
  const e = t.excByI.get(i) || {};
  return t.kind(i) === K_EXC ? (e.name || '') + ' vector ' + e.vector + ' at ' + e.at : (e.event || 'event');
}

function val(s, name, t) {
  const k = t.fieldIndex.get(name);
  return s.known[k] ? fieldVal(s.after, k) : null;
}
function valBefore(s, name, t) {
  const k = t.fieldIndex.get(name);
  return s.knownBefore[k] ? fieldVal(s.before, k) : null;
}
function hx(v) { return v ? hex(v[0], v[1]) : '?'; }

// A few lines on what a system instruction just did, with this run's
// values (docs/syscall.md has the whole story).
function explain(t, i, s) {
  const box = el('div', 'explain');
  const cls = t.cls(i), ul = el('ul');
  const li = (html) => { const l = el('li'); l.innerHTML = html; ul.appendChild(l); };
  const cplB = valBefore(s, 'cpl', t), cplA = val(s, 'cpl', t);
  if (cls === C_SYSCALL) {
    box.innerHTML = '<b>SYSCALL</b> (0F 05) entered the kernel without touching memory:';
    const rcx = val(s, 'rcx', t), r11 = val(s, 'r11', t), fl = val(s, 'rflags', t);
    const fm = val(s, 'IA32_FMASK', t), ls = val(s, 'IA32_LSTAR', t);
    li('<b>RCX</b> \u2190 ' + hx(rcx) + ', the address of the next instruction: where SYSRET returns');
    li('<b>R11</b> \u2190 ' + hx(r11) + ', RFLAGS as the program had it');
    li('<b>RFLAGS</b> \u2190 R11 &amp; ~IA32_FMASK (' + hx(fm) + ') = ' + hx(fl) + (fm && fm[0] ? ': ' + flagNames(fm[0] & (r11 ? r11[0] : 0)).join(' ') + ' cleared' : ''));
    li('<b>CS</b> \u2190 ' + hx(val(s, 'cs.sel', t)) + ', <b>SS</b> \u2190 ' + hx(val(s, 'ss.sel', t)) + ' from IA32_STAR[47:32]; <b>CPL</b> ' + (cplB ? cplB[0] : '?') + ' \u2192 ' + (cplA ? cplA[0] : '?'));
    li('<b>RIP</b> \u2190 IA32_LSTAR = ' + hx(ls) + (ls ? ' &lt;' + escHtml(t.symbolize(ls[0], ls[1])) + '&gt;' : ''));
    li('<b>RSP</b> is unchanged: the kernel still runs on the user\u2019s stack until entry_SYSCALL_64 switches (SWAPGS, then its own stack)');
  } else if (cls === C_SYSRET) {
    box.innerHTML = '<b>SYSRET</b> (48 0F 07) returned to user mode:';
    li('<b>RIP</b> \u2190 RCX = ' + hx(val(s, 'rcx', t)) + ', the address SYSCALL saved');
    li('<b>RFLAGS</b> \u2190 R11 = ' + hx(val(s, 'rflags', t)) + ' (RF and VM cleared)');
    li('<b>CS</b> \u2190 ' + hx(val(s, 'cs.sel', t)) + ', <b>SS</b> \u2190 ' + hx(val(s, 'ss.sel', t)) + ' from IA32_STAR[63:48] + 16 / + 8, RPL 3; <b>CPL</b> ' + (cplB ? cplB[0] : '?') + ' \u2192 ' + (cplA ? cplA[0] : '?'));
    li('<b>RSP</b>, RCX, R11 unchanged: the kernel loaded the user\u2019s RSP itself (Intel checks that RCX is canonical first, AMD does not: docs/syscall.md)');
  } else if (cls === C_IRET) {
    box.innerHTML = '<b>IRETQ</b> popped RIP, CS, RFLAGS, RSP and SS (five 8-byte slots) from the stack:';
    li('<b>CS</b> = ' + hx(val(s, 'cs.sel', t)) + ', <b>SS</b> = ' + hx(val(s, 'ss.sel', t)) + ', <b>RSP</b> = ' + hx(val(s, 'rsp', t)) + ', <b>RFLAGS</b> = ' + hx(val(s, 'rflags', t)));
    li('<b>CPL</b> ' + (cplB ? cplB[0] : '?') + ' \u2192 ' + (cplA ? cplA[0] : '?') + (cplA && cplA[0] === 3 ? ': back in user mode (the slower way out, for the cases SYSRET cannot take)' : ''));
  } else if (cls === C_SWAPGS) {
    box.innerHTML = '<b>SWAPGS</b> exchanged GS.base and IA32_KERNEL_GS_BASE:';
    li('<b>GS.base</b> = ' + hx(val(s, 'gs.base', t)) + ', <b>KERNEL_GS_BASE</b> = ' + hx(val(s, 'IA32_KERNEL_GS_BASE', t)));
    li('on the way in the kernel finds its per-CPU area (its stack pointer) through GS; on the way out the user\u2019s GS base comes back');
  } else if (cls === C_WRMSR && s.ch.some((c) => c.f >= F_SYS)) {
    const c = s.ch.find((x) => x.f >= F_SYS), nm = t.fields[c.f];
    box.innerHTML = '<b>WRMSR</b> wrote EDX:EAX into the MSR that ECX names: <b>' + nm + '</b> = ' + hex(c.lo, c.hi);
    if (nm === 'IA32_LSTAR') li('from now on every SYSCALL jumps to ' + escHtml(t.symbolize(c.lo, c.hi) || hex(c.lo, c.hi)));
    if (nm === 'IA32_STAR') li('the selectors SYSCALL and SYSRET load: ' + STATE_ROWS.sys[5][2]([c.lo, c.hi]));
    if (nm === 'IA32_FMASK') li('the RFLAGS bits SYSCALL clears: ' + flagNames(c.lo).join(' '));
  } else if (t.kind(i) === K_EXC) {
    const e = t.excByI.get(i) || {};
    box.innerHTML = '<b>' + escHtml(String(e.name || 'exception')) + '</b> (vector ' + e.vector + ')' + (e.soft ? ', raised by an INT instruction' : '') + ': the CPU';
    li('pushed ' + (e.error ? 'an error code (' + escHtml(e.error) + '), ' : '') + 'RIP, CS, RFLAGS, RSP and SS on the ' + (cplB && cplB[0] === 3 ? 'kernel stack (from the TSS: it came from user mode)' : 'current stack'));
    li('jumped to the handler of the IDT: ' + escHtml(String(e.handler || '?')) + (e.cr2 ? '; CR2 = ' + escHtml(e.cr2) + ', the address that faulted' : ''));
    li('<b>CPL</b> ' + (cplB ? cplB[0] : '?') + ' \u2192 ' + (cplA ? cplA[0] : '?'));
  } else {
    return null;
  }
  box.appendChild(ul);
  return box;
}
