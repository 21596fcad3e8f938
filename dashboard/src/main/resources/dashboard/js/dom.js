// Building DOM without markup: every string an agent, a pane or a user sent becomes a text node, never HTML.

/** h('div', {class: 'x', dataset: {sessionId: id}, onclick: fn}, child, 'text', [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** "12 s", "4 min", "3 h", "2 d" since an ISO time. */
export function age(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h';
  return Math.floor(s / 86400) + ' d';
}

export function timeLeft(iso, now = Date.now()) {
  if (!iso) return null;
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'expired';
  return s < 60 ? s + ' s left' : Math.floor(s / 60) + ' min left';
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {dateStyle: 'short', timeStyle: 'medium'});
}

/** A button named by what it does; disabled while its action runs; errors shown next to it. */
export function action(label, run, cls = '') {
  const b = h('button', {type: 'button', class: cls});
  b.textContent = label;
  b.addEventListener('click', async (e) => {
    e.stopPropagation();
    b.disabled = true;
    try { await run(b); } catch (err) { toast(err.message || String(err), true); } finally { b.disabled = false; }
  });
  return b;
}

export function toast(text, error = false) {
  let box = document.getElementById('toasts');
  if (!box) { box = h('div', {id: 'toasts', 'aria-live': 'polite'}); document.body.appendChild(box); }
  const t = h('div', {class: error ? 'toast error' : 'toast', role: error ? 'alert' : 'status'}, text);
  box.appendChild(t);
  setTimeout(() => t.remove(), error ? 8000 : 3000);
}

/** A modal confirm built from DOM (window.confirm is unstyled and blocks tests). Resolves true/false. */
export function confirmDialog(question, yesLabel, danger = true) {
  return new Promise(resolve => {
    const dlg = h('dialog', {class: 'confirm'});
    const done = v => { dlg.close(); dlg.remove(); resolve(v); };
    dlg.append(h('p', {}, question), h('div', {class: 'row'},
      h('button', {type: 'button', onclick: () => done(false)}, 'Cancel'),
      h('button', {type: 'button', class: danger ? 'danger' : 'primary', onclick: () => done(true)}, yesLabel)));
    document.body.appendChild(dlg);
    dlg.showModal();
  });
}

export function b64encode(str) {
  const bytes = new TextEncoder().encode(str);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

export function b64bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
