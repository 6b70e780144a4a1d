// emu/view/page/util.js - small helpers of lstar view's page: 64-bit values
// as two 32-bit halves, hex, the flag names, DOM shortcuts, and the
// trace's blob out of its <script> element (base64, then inflated by the
// browser's own DecompressionStream: nothing is fetched).
'use strict';

const $ = (sel, root) => (root || document).querySelector(sel);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// 64-bit values travel as (lo, hi) pairs of unsigned 32-bit numbers.
function hex(lo, hi) {
  if (hi) return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
  return '0x' + lo.toString(16);
}

// "0x…" -> [lo, hi]
function parseHex(s) {
  s = s.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(s)) return null;
  const lo = parseInt(s.slice(-8), 16) >>> 0;
  const hi = s.length > 8 ? parseInt(s.slice(0, -8), 16) >>> 0 : 0;
  return [lo, hi];
}

function big(lo, hi) {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

// Canonical upper half: a kernel address.
function isKernelAddr(hi) {
  return (hi >>> 0) >= 0xffff8000;
}

// 1234567 -> "1,234,567" (toLocaleString is slow: the list calls this per row)
function fmtInt(n) {
  let s = String(n);
  if (s.length < 4 || n < 0) return s;
  let out = s.slice(0, s.length % 3 || 3);
  for (let k = out.length; k < s.length; k += 3) out += ',' + s.slice(k, k + 3);
  return out;
}

function escHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

const FLAG_BITS = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'],
  [11, 'OF'], [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];

function flagNames(v) {
  const out = [];
  for (const [b, n] of FLAG_BITS) if ((v >>> b) & 1) out.push(n);
  const iopl = (v >>> 12) & 3;
  if (iopl) out.push('IOPL=' + iopl);
  return out;
}

// "+CF -ZF" for what changed between two RFLAGS values (the trace's way).
function flagChanges(a, b) {
  const d = (a ^ b) >>> 0, out = [];
  for (const [bit, n] of FLAG_BITS) if ((d >>> bit) & 1) out.push(((b >>> bit) & 1 ? '+' : '-') + n);
  return out.join(' ');
}

function bitNames(v, names) {
  const out = [];
  for (const [b, n] of names) if ((v >>> b) & 1) out.push(n);
  return out.join(' ');
}

const CR0_BITS = [[0, 'PE'], [1, 'MP'], [2, 'EM'], [3, 'TS'], [4, 'ET'], [5, 'NE'], [16, 'WP'],
  [18, 'AM'], [29, 'NW'], [30, 'CD'], [31, 'PG']];
const CR4_BITS = [[0, 'VME'], [1, 'PVI'], [2, 'TSD'], [3, 'DE'], [4, 'PSE'], [5, 'PAE'], [6, 'MCE'],
  [7, 'PGE'], [8, 'PCE'], [9, 'OSFXSR'], [10, 'OSXMMEXCPT'], [11, 'UMIP'], [16, 'FSGSBASE'],
  [17, 'PCIDE'], [18, 'OSXSAVE'], [20, 'SMEP'], [21, 'SMAP']];
const EFER_BITS = [[0, 'SCE'], [8, 'LME'], [10, 'LMA'], [11, 'NXE']];

// The trace's blob: base64 text -> inflated bytes.
async function loadBlob(id) {
  const node = document.getElementById(id);
  const text = node.textContent;
  const bin = atob(text.trim());
  const n = bin.length, u8 = new Uint8Array(n);
  for (let i = 0; i < n; i++) u8[i] = bin.charCodeAt(i);
  // chunk by chunk into one buffer of the size the element states
  // (Response.arrayBuffer() on the stream is several times slower)
  const reader = new Blob([u8]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  let out = new Uint8Array(+node.dataset.size || 1 << 20), len = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (len + value.length > out.length) {
      const bigger = new Uint8Array(Math.max(2 * out.length, len + value.length));
      bigger.set(out.subarray(0, len));
      out = bigger;
    }
    out.set(value, len);
    len += value.length;
  }
  node.textContent = '';   // the base64 text is not needed any more
  return len === out.length ? out : out.slice(0, len);
}

function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

// The last index k with a[k] <= x in a sorted array (-1 if none).
function bsearch(a, x, len) {
  let lo = 0, hi = (len === undefined ? a.length : len) - 1, r = -1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (a[m] <= x) { r = m; lo = m + 1; } else hi = m - 1;
  }
  return r;
}
