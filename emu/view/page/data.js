// emu/view/page/data.js - one trace of the page: its blob (the layout is
// in emu/view/view_int.h) as typed arrays, and the machine state at any
// record rebuilt from the snapshot before it and the deltas after it.
'use strict';

const NF = 56, F_RFLAGS = 16, F_CPL = 17, F_SEG = 18, F_SYS = 42;
const K_INSN = 0, K_EXC = 1, K_OTHER = 2;
const SNAP_WORDS = 6 + 2 * NF;
const STACK_LOOKBACK = 65536;   // records the stack panel looks back at most
// instruction classes (Trace.iCls)
const C_OTHER = 0, C_SYSCALL = 1, C_SYSRET = 2, C_IRET = 3, C_SWAPGS = 4, C_INT = 5, C_WRMSR = 6;
const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

class Trace {
  constructor(blob, letter) {
    this.letter = letter;
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    if (blob.length < 12 || String.fromCharCode(blob[0], blob[1], blob[2], blob[3]) !== 'LSTV')
      throw new Error('the data of trace ' + letter + ' is damaged');
    if (dv.getUint32(4, true) !== 1)
      throw new Error('the data of trace ' + letter + ' has an unknown version');
    const mlen = dv.getUint32(8, true);
    const meta = JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + mlen)));
    const base = blob.byteOffset + ((12 + mlen + 7) & ~7);
    const buf = blob.buffer;
    const sec = (name) => meta.sec[name];
    const u8 = (name) => new Uint8Array(buf, base + sec(name)[0], sec(name)[1]);
    this.name = meta.name;
    this.n = meta.n;
    this.snap = meta.snap;
    this.fields = meta.fields;
    this.fieldIndex = new Map(meta.fields.map((f, k) => [f, k]));
    this.rk = u8('rk');
    this.ins = new (meta.insw === 2 ? Uint16Array : Uint32Array)(buf, base + sec('ins')[0], meta.n);
    this.nops = u8('nops');
    this.nmem = u8('nmem');
    this.ops = u8('ops');
    this.mem = u8('mem');
    this.snaps = new Uint32Array(buf, base + sec('snaps')[0], sec('snaps')[1] / 4);
    // distinct instructions
    const I = meta.insn;
    this.iRip = I.rip; this.iSym = I.sym; this.iBytes = I.bytes; this.iAsm = I.asm;
    const ni = I.rip.length;
    this.iCls = new Uint8Array(ni);
    this.iMn = new Array(ni);
    for (let k = 0; k < ni; k++) {
      const mn = I.asm[k].split(' ')[0];
      this.iMn[k] = mn;
      this.iCls[k] = mn === 'syscall' ? C_SYSCALL : mn.startsWith('sysret') ? C_SYSRET :
        mn.startsWith('iret') ? C_IRET : mn === 'swapgs' ? C_SWAPGS :
        (mn === 'int' || mn === 'int3' || mn === 'into' || mn === 'int1') ? C_INT :
        mn === 'wrmsr' ? C_WRMSR : C_OTHER;
    }
    this.exc = meta.exc;
    this.calls = meta.calls.map((c) => ({ s: c[0], e: c[1], seq: c[2], nr: c[3],
      name: c[4] || ('syscall_' + c[3]), text: c[5], tid: c[6], t: this }));
    this.callS = Float64Array.from(this.calls, (c) => c.s);
    this.info = meta.info.map((x) => ({ i: x[0], text: x[1] }));
    // sequence numbers: records where seq is not the previous one + 1
    const sx = meta.seqx;
    this.seqI = new Float64Array(sx.length / 2);
    this.seqS = new Float64Array(sx.length / 2);
    for (let k = 0; k < sx.length; k += 2) { this.seqI[k / 2] = sx[k]; this.seqS[k / 2] = sx[k + 1]; }
    // CPL runs, tasks
    const runs = meta.runs;
    this.runI = new Float64Array(runs.length / 2);
    this.runC = new Uint8Array(runs.length / 2);
    for (let k = 0; k < runs.length; k += 2) { this.runI[k / 2] = runs[k]; this.runC[k / 2] = runs[k + 1]; }
    const tids = meta.tids;
    this.tidI = []; this.tidV = [];
    for (let k = 0; k < tids.length; k += 2) { this.tidI.push(tids[k]); this.tidV.push(tids[k + 1]); }
    this.tasks = [...new Set(this.tidV.filter((t) => t >= 0))].sort((a, b) => a - b);
    // where the keys stop: system-call boundaries, CPL changes, exceptions
    const sb = [];
    for (const c of this.calls) { sb.push(c.s); if (c.e >= 0) sb.push(c.e); }
    this.sysB = Float64Array.from(new Set(sb)).sort();
    this.cplB = this.runI.slice(1);
    this.excB = Float64Array.from(this.exc.map((x) => x.i));
    this.excByI = new Map(this.exc.map((x) => [x.i, x]));
    // addresses -> symbols, from the instructions seen
    this.addrIndex = null;
    this.hSym = I.sym.map(escHtml);
    this.hAsm = I.asm.map(escHtml);
    this.cur = new Cursor(this);      // the list's rows
    this.anchor = new Cursor(this);   // the list's first row (scrolling moves it a little)
    this.cur2 = new Cursor(this);     // the state panel
  }
  kind(i) { return (this.rk[i] >> 2) & 3; }
  cpl(i) { return this.rk[i] & 3; }
  seq(i) {
    const k = bsearch(this.seqI, i);
    return k < 0 ? i : this.seqS[k] + (i - this.seqI[k]);
  }
  // the record index of a sequence number (the first record with it), or -1
  indexOfSeq(seq) {
    let lo = 0, hi = this.n - 1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1, s = this.seq(m);
      if (s < seq) lo = m + 1; else hi = m - 1;
    }
    return lo < this.n && this.seq(lo) === seq ? lo : -1;
  }
  cls(i) { return this.kind(i) === K_INSN ? this.iCls[this.ins[i]] : C_OTHER; }
  tid(i) {
    const k = bsearch(this.tidI, i);
    return k < 0 ? -1 : this.tidV[k];
  }
  // the system call in flight at record i (the last one started at or
  // before i that has not returned before i), or null
  callAt(i) {
    let lo = 0, hi = this.calls.length - 1, r = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (this.calls[m].s <= i) { r = m; lo = m + 1; } else hi = m - 1;
    }
    if (r < 0) return null;
    const c = this.calls[r];
    return c.e < 0 || i <= c.e ? c : null;
  }
  // "symbol+0x12" for an address, from the instructions of the trace
  symbolize(lo, hi) {
    if (!this.addrIndex) {
      const order = [...this.iRip.keys()].sort((a, b) => {
        const x = BigInt(this.iRip[a]), y = BigInt(this.iRip[b]);
        return x < y ? -1 : x > y ? 1 : 0;
      });
      this.addrIndex = { order, addr: order.map((k) => BigInt(this.iRip[k])) };
    }
    const a = big(lo, hi), { order, addr } = this.addrIndex;
    let l = 0, h = addr.length - 1, r = -1;
    while (l <= h) {
      const m = (l + h) >> 1;
      if (addr[m] <= a) { r = m; l = m + 1; } else h = m - 1;
    }
    if (r < 0 || a - addr[r] > 64n) return '';
    const k = order[r], sym = this.iSym[k];
    if (!sym) return '';
    const plus = sym.lastIndexOf('+0x');
    const name = plus < 0 ? sym : sym.slice(0, plus);
    const off = (plus < 0 ? 0n : BigInt(sym.slice(plus + 1))) + (a - addr[r]);
    return off ? name + '+0x' + off.toString(16) : name;
  }
  // The 256 bytes around RSP after record i, for the stack panel: the
  // window starts at (RSP - 0x40) rounded down to 64, so that it stays the
  // same while RSP moves a little; a step forward in the same window only
  // adds the accesses of the records in between.  at: RSP's offset in it.
  stackMem(i, rlo, rhi) {
    const wlo = ((rlo - 0x40) & ~0x3f) >>> 0;
    const whi = (wlo > rlo ? rhi - 1 : rhi) >>> 0;
    const at = ((rlo - wlo) >>> 0);
    let c = this.mcache;
    if (!(c && c.wlo === wlo && c.whi === whi && i >= c.i && i - c.i <= 4096)) {
      const m = this.memAround(i, wlo, whi, 256, STACK_LOOKBACK);
      const cu = this.cur3 || (this.cur3 = new Cursor(this));
      cu.seek(Math.min(i + 1, this.n));
      c = this.mcache = { i, wlo, whi, val: m.val, known: m.known, mo: cu.mo, plo: cu.plo, phi: cu.phi };
    } else if (i > c.i) {
      const mem = this.mem;
      let mo = c.mo, plo = c.plo, phi = c.phi;
      for (let r = c.i + 1; r <= i; r++) {
        const n = this.nmem[r];
        if (!n) continue;
        if (n & 0x80) { while (mem[mo++] & 0x80); }
        for (let k = n & 0x7f; k > 0; k--) {
          const size = mem[mo++] & 0x7f;
          let q = mem[mo++], xlo = 0, xhi = 0;
          for (let b = 0; b < q; b++) { const v = mem[mo++]; if (b < 4) xlo |= v << (8 * b); else xhi |= v << (8 * (b - 4)); }
          plo = (plo ^ xlo) >>> 0; phi = (phi ^ xhi) >>> 0;
          q = mem[mo++];
          let vlo = 0, vhi = 0;
          for (let b = 0; b < q; b++) { const v = mem[mo++]; if (b < 4) vlo |= v << (8 * b); else vhi |= v << (8 * (b - 4)); }
          const d = (phi - whi) * 4294967296 + (plo - wlo);
          if (d <= -8 || d >= 256) continue;
          for (let b = 0; b < size; b++) {
            const p = d + b;
            if (p < 0 || p >= 256) continue;
            c.known[p] = 1;
            c.val[p] = b < 4 ? (vlo >>> (8 * b)) & 255 : (vhi >>> (8 * (b - 4))) & 255;
          }
        }
      }
      c.i = i; c.mo = mo; c.plo = plo; c.phi = phi;
    }
    return { at, val: c.val, known: c.known };
  }
  // the bytes in [lo, hi) + len as memory held them after record i, as far
  // as the trace's accesses tell (known[k] = 0: never seen), looking back
  // at most maxBack records
  memAround(i, alo, ahi, len, maxBack) {
    const val = new Uint8Array(len), known = new Uint8Array(len);
    let left = len;
    const snap = this.snap;
    let block = Math.floor(i / snap);
    const stopBlock = Math.max(0, Math.floor((i - (maxBack || 262144)) / snap));
    const acc = [];   // [delta, size, vlo, vhi] of one block, in order
    for (; block >= stopBlock && left > 0; block--) {
      acc.length = 0;
      const end = Math.min(this.n, block === Math.floor(i / snap) ? i + 1 : (block + 1) * snap);
      const s = block * SNAP_WORDS;
      let mo = this.snaps[s + 1], plo = this.snaps[s + 2], phi = this.snaps[s + 3];
      const mem = this.mem;
      for (let r = block * snap; r < end; r++) {
        const c = this.nmem[r];
        if (!c) continue;
        if (c & 0x80) { while (mem[mo++] & 0x80); }
        for (let k = c & 0x7f; k > 0; k--) {
          const b0 = mem[mo++], size = b0 & 0x7f;
          let n = mem[mo++], xlo = 0, xhi = 0;
          for (let q = 0; q < n; q++) { const b = mem[mo++]; if (q < 4) xlo |= b << (8 * q); else xhi |= b << (8 * (q - 4)); }
          plo = (plo ^ xlo) >>> 0; phi = (phi ^ xhi) >>> 0;
          n = mem[mo++];
          let vlo = 0, vhi = 0;
          for (let q = 0; q < n; q++) { const b = mem[mo++]; if (q < 4) vlo |= b << (8 * q); else vhi |= b << (8 * (q - 4)); }
          const delta = (phi - ahi) * 4294967296 + (plo - alo);
          if (delta > -8 && delta < len) acc.push(delta, size, vlo >>> 0, vhi >>> 0);
        }
      }
      for (let k = acc.length - 4; k >= 0 && left > 0; k -= 4) {
        const d = acc[k], size = acc[k + 1], vlo = acc[k + 2], vhi = acc[k + 3];
        for (let b = 0; b < size; b++) {
          const p = d + b;
          if (p < 0 || p >= len || known[p]) continue;
          known[p] = 1;
          val[p] = b < 4 ? (vlo >>> (8 * b)) & 255 : (vhi >>> (8 * (b - 4))) & 255;
          left--;
        }
      }
    }
    return { val, known };
  }
}

// Walks the records from a snapshot.  After read(): st holds the state
// before record i (the record's "pre" values applied), and the record's
// changes (chF, chLo, chHi: new values; st still the old ones) and memory
// accesses are decoded.  commit() applies the changes and moves to i + 1.
class Cursor {
  constructor(tr) {
    this.tr = tr;
    this.st = new Uint32Array(2 * NF);
    this.known = new Uint8Array(NF);
    this.i = -1;
    this.oo = 0; this.mo = 0; this.plo = 0; this.phi = 0;
    this.nCh = 0;
    this.chF = new Uint8Array(2 * NF + 8);
    this.chLo = new Uint32Array(2 * NF + 8);
    this.chHi = new Uint32Array(2 * NF + 8);
    this.nMem = 0; this.dropped = 0;
    this.mW = new Uint8Array(64); this.mSize = new Uint8Array(64);
    this.mAlo = new Uint32Array(64); this.mAhi = new Uint32Array(64);
    this.mVlo = new Uint32Array(64); this.mVhi = new Uint32Array(64);
    this.isRead = false;
  }
  seek(i) {
    const tr = this.tr;
    if (!(this.i >= 0 && this.i <= i && i - this.i < tr.snap && !this.isRead)) {
      const k = Math.floor(i / tr.snap), s = k * SNAP_WORDS, w = tr.snaps;
      this.oo = w[s]; this.mo = w[s + 1]; this.plo = w[s + 2]; this.phi = w[s + 3];
      const kl = w[s + 4], kh = w[s + 5];
      for (let f = 0; f < NF; f++) this.known[f] = f < 32 ? (kl >>> f) & 1 : (kh >>> (f - 32)) & 1;
      this.st.set(w.subarray(s + 6, s + 6 + 2 * NF));
      this.i = k * tr.snap;
      this.isRead = false;
    }
    while (this.i < i) { this.read(); this.commit(); }
  }
  copyFrom(c) {
    this.st.set(c.st); this.known.set(c.known);
    this.i = c.i; this.oo = c.oo; this.mo = c.mo; this.plo = c.plo; this.phi = c.phi;
    this.isRead = false;
  }
  read() {
    const tr = this.tr, ops = tr.ops, st = this.st;
    let oo = this.oo, nc = 0;
    for (let k = tr.nops[this.i]; k > 0; k--) {
      const b0 = ops[oo++], f = b0 & 0x7f, n = ops[oo++];
      let lo = 0, hi = 0;
      for (let q = 0; q < n; q++) { const b = ops[oo++]; if (q < 4) lo |= b << (8 * q); else hi |= b << (8 * (q - 4)); }
      if (b0 & 0x80) {   // a value before the record
        st[2 * f] = (st[2 * f] ^ lo) >>> 0;
        st[2 * f + 1] = (st[2 * f + 1] ^ hi) >>> 0;
        this.known[f] = 1;
      } else {
        this.chF[nc] = f;
        this.chLo[nc] = (st[2 * f] ^ lo) >>> 0;
        this.chHi[nc] = (st[2 * f + 1] ^ hi) >>> 0;
        nc++;
      }
    }
    this.nCh = nc;
    this.oo = oo;
    // memory accesses
    const mem = tr.mem, c = tr.nmem[this.i];
    let mo = this.mo, plo = this.plo, phi = this.phi;
    this.dropped = 0;
    if (c & 0x80) {
      let v = 0, sh = 1, b;
      do { b = mem[mo++]; v += (b & 0x7f) * sh; sh *= 128; } while (b & 0x80);
      this.dropped = v;
    }
    const nm = c & 0x7f;
    for (let k = 0; k < nm; k++) {
      const b0 = mem[mo++];
      this.mW[k] = b0 >> 7; this.mSize[k] = b0 & 0x7f;
      let n = mem[mo++], lo = 0, hi = 0;
      for (let q = 0; q < n; q++) { const b = mem[mo++]; if (q < 4) lo |= b << (8 * q); else hi |= b << (8 * (q - 4)); }
      plo = (plo ^ lo) >>> 0; phi = (phi ^ hi) >>> 0;
      this.mAlo[k] = plo; this.mAhi[k] = phi;
      n = mem[mo++]; lo = 0; hi = 0;
      for (let q = 0; q < n; q++) { const b = mem[mo++]; if (q < 4) lo |= b << (8 * q); else hi |= b << (8 * (q - 4)); }
      this.mVlo[k] = lo >>> 0; this.mVhi[k] = hi >>> 0;
    }
    this.nMem = nm;
    this.mo = mo; this.plo = plo; this.phi = phi;
    this.isRead = true;
  }
  commit() {
    const st = this.st;
    for (let k = 0; k < this.nCh; k++) {
      const f = this.chF[k];
      st[2 * f] = this.chLo[k]; st[2 * f + 1] = this.chHi[k];
      this.known[f] = 1;
    }
    this.i++;
    this.isRead = false;
  }
  // state before and after record i, and the record's details
  at(i) {
    this.seek(i);
    this.read();
    const before = this.st.slice(), knownBefore = this.known.slice();
    const ch = [];
    for (let k = 0; k < this.nCh; k++) ch.push({ f: this.chF[k], lo: this.chLo[k], hi: this.chHi[k] });
    const mem = [];
    for (let k = 0; k < this.nMem; k++)
      mem.push({ w: this.mW[k], size: this.mSize[k], alo: this.mAlo[k], ahi: this.mAhi[k], vlo: this.mVlo[k], vhi: this.mVhi[k] });
    const dropped = this.dropped;
    this.commit();
    return { i, before, knownBefore, after: this.st.slice(), known: this.known.slice(), ch, mem, dropped };
  }
}

function fieldVal(st, f) { return [st[2 * f], st[2 * f + 1]]; }
