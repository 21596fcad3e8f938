// Session (/sessions/{id}): the live terminal (console snapshot, then chunks; a fresh snapshot after every
// reconnect or skip), typed into directly through the UI socket's `input`, key buttons for phones, the session's
// pending approvals inline, its events timeline, and rename / interrupt / kill.
import {Terminal} from '/vendor/xterm/xterm.mjs';
import {FitAddon} from '/vendor/addon-fit/addon-fit.mjs';
import {h, clear, age, when, action, toast, confirmDialog, b64encode, b64bytes} from '../dom.js';
import {get, post} from '../api.js';
import {subscribe, send, onSocketError} from '../socket.js';
import {card} from './approvals.js';
import {names} from '../names.js';

const KEYS = [['Enter', '\r'], ['Esc', '\x1b'], ['Tab', '\t'], ['Ctrl-C', '\x03'], ['←', '\x1b[D'], ['↑', '\x1b[A'],
  ['↓', '\x1b[B'], ['→', '\x1b[C'], ['1', '1'], ['2', '2'], ['3', '3']];
const KEY_NAMES = {'←': 'Left arrow', '↑': 'Up arrow', '↓': 'Down arrow', '→': 'Right arrow'};

export function show(view, ctx) {
  const id = ctx.params[0];
  let session = null;
  let hostNames = new Map();
  const title = h('h1', {class: 'title'}, id);
  const meta = h('div', {class: 'meta muted'});
  const actions = h('div', {class: 'actions'});
  const termBox = h('div', {class: 'terminal', dataset: {terminal: id}});
  const notice = h('p', {class: 'notice', hidden: true});
  const keys = h('div', {class: 'keys', role: 'group', 'aria-label': 'Keys'});
  const inline = h('div', {class: 'inline-approvals'});
  const timeline = h('ol', {class: 'timeline'});
  view.append(h('div', {class: 'head'}, title, actions), meta, inline, termBox, notice,
    ctx.operator ? keys : null, h('h2', {}, 'Events'), timeline);

  const term = new Terminal({convertEol: false, scrollback: 5000, fontSize: 14, cursorBlink: ctx.operator,
    disableStdin: !ctx.operator, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    theme: {background: '#0d1117', foreground: '#e6edf3'}});
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(termBox);
  let paneCols = 0, paneRows = 0;
  const sizeToPane = () => {
    if (!paneCols) { try { fit.fit(); } catch { /* not laid out yet */ } return; }
    // the pane's size is the truth (it is a real tmux pane): scale the font so its columns fit the box
    const width = termBox.clientWidth - 8;
    const size = Math.max(8, Math.min(14, Math.floor(width / (paneCols * 0.602) * 10) / 10));
    if (term.options.fontSize !== size) term.options.fontSize = size;
    if (term.cols !== paneCols || term.rows !== paneRows) term.resize(paneCols, paneRows);
  };
  const ro = new ResizeObserver(() => sizeToPane());
  ro.observe(termBox);

  const typeBytes = str => {
    if (!ctx.operator) return;
    for (let i = 0; i < str.length; i += 2048) {
      if (!send({type: 'input', session_id: id, data: b64encode(str.slice(i, i + 2048))})) {
        toast('Offline: not sent', true);
        return;
      }
    }
  };
  if (ctx.operator) {
    term.onData(typeBytes);
    for (const [label, seq] of KEYS) {
      keys.append(h('button', {type: 'button', 'aria-label': KEY_NAMES[label] || label,
        onclick: () => { typeBytes(seq); term.focus(); }}, label));
    }
  }

  let lastOffset = -1;
  const onConsole = m => {
    if (m.type === 'console.snapshot') {
      paneCols = m.cols || paneCols; paneRows = m.rows || paneRows;
      term.reset();
      sizeToPane();
      const text = new TextDecoder().decode(b64bytes(m.data)).replace(/\r?\n/g, '\r\n').replace(/(\r\n)+$/, '');
      term.write(text);
      if (m.cursor) term.write('\x1b[' + (m.cursor.y + 1) + ';' + (m.cursor.x + 1) + 'H');
      lastOffset = typeof m.offset === 'number' ? m.offset : -1;
      notice.hidden = true;
    } else if (m.type === 'console.chunk') {
      if (typeof m.offset === 'number' && m.offset < lastOffset) return; // already in the snapshot
      term.write(b64bytes(m.data));
    } else if (m.type === 'console.skipped') {
      notice.hidden = false;
      notice.textContent = 'Output was skipped (this browser fell behind); catching up with a fresh snapshot.';
      resubscribe();
    } else if (m.type === 'error') {
      notice.hidden = false;
      notice.textContent = 'Terminal: ' + m.error.message;
    }
  };
  let offConsole = subscribe('console', {session_id: id}, onConsole);
  function resubscribe() {
    offConsole();
    offConsole = subscribe('console', {session_id: id}, onConsole);
  }
  const offErr = onSocketError(e => toast(e.message, true));

  // events: history first, then live
  const seenEvents = new Set();
  const addEvent = (e, top) => {
    if (seenEvents.has(e.id) || isPlumbing(e)) return;
    seenEvents.add(e.id);
    const li = h('li', {dataset: {eventType: e.type}},
      h('time', {datetime: e.ts || e.created_at, title: when(e.ts || e.created_at)}, age(e.ts || e.created_at)),
      h('span', {class: 'etype'}, e.type), h('span', {class: 'esummary'}, summary(e)));
    if (top) timeline.prepend(li); else timeline.append(li);
    while (timeline.children.length > 200) timeline.lastChild.remove();
  };
  get('/v1/sessions/' + encodeURIComponent(id) + '/events?limit=100&latest=true').then(r => {
    r.items.slice().reverse().forEach(e => addEvent(e, false));
    if (!r.items.length && !timeline.children.length) timeline.append(h('li', {class: 'muted'}, 'No events yet.'));
  }).catch(() => {});
  const offE = subscribe('events', {session_id: id}, m => {
    if (m.type === 'events.appended') {
      const empty = timeline.querySelector('li.muted');
      if (empty) empty.remove();
      addEvent(m.event, true);
    }
  });

  // the session itself, live
  const paint = () => {
    if (!session) return;
    title.textContent = session.name || session.title || id;
    document.title = title.textContent + ' · Agent Commander';
    clear(meta).append(h('span', {class: 'pill status-' + String(session.status).toLowerCase()}, session.status),
      h('span', {}, session.provider), h('span', {}, hostNames.get(session.host_id) || session.host_id),
      session.git && session.git.branch ? h('span', {}, session.git.branch) : null,
      h('span', {class: 'cwd'}, session.cwd || ''), h('span', {}, 'active ' + age(session.last_activity_at) + ' ago'));
  };
  names().then(n => { hostNames = n.host; paint(); });
  get('/v1/sessions/' + encodeURIComponent(id)).then(s => { session = s; paint(); })
    .catch(e => { notice.hidden = false; notice.textContent = e.message; });
  const offS = subscribe('sessions', {session_id: id}, m => { // this session only, not the fleet
    if (m.type === 'sessions.changed' && m.session.session_id === id) { session = m.session; paint(); }
    if (m.type === 'sessions.removed' && m.session_id === id) {
      notice.hidden = false; notice.textContent = 'This session has ended.';
    }
  });

  // pending approvals of this session, inline
  const cards = new Map();
  const offA = subscribe('approvals', {status: 'pending', session_id: id}, m => {
    if (m.type === 'subscribed') { cards.forEach(c => c.remove()); cards.clear(); return; }
    if (m.type !== 'approvals.changed' || m.approval.session_id !== id) return;
    const a = m.approval;
    const old = cards.get(a.id);
    if (a.status !== 'pending') { if (old) old.remove(); cards.delete(a.id); return; }
    const c = card(a, ctx, {});
    if (old) old.replaceWith(c); else inline.append(c);
    cards.set(a.id, c);
  });

  if (ctx.operator) {
    const cmd = body => post('/v1/sessions/' + encodeURIComponent(id) + '/commands', body);
    actions.append(
      action('Rename', async () => {
        const name = await promptDialog('New name for this session', session ? session.name || '' : '');
        if (name) { await cmd({type: 'rename_session', name}); toast('Renamed'); }
      }),
      action('Interrupt', async () => { await cmd({type: 'interrupt'}); toast('Sent Ctrl-C'); }),
      action('Kill', async () => {
        if (await confirmDialog('Kill this session? Its tmux pane is closed and what runs in it stops.', 'Kill session')) {
          await cmd({type: 'kill_session'}); toast('Kill sent');
        }
      }, 'danger'));
  }
  setTimeout(() => { sizeToPane(); if (ctx.operator) term.focus(); }, 0);
  // for benchmarks and people's own tools: type as the keyboard would (only what this page could do anyway)
  // and to read what the terminal holds (its buffer, before the renderer draws it): the text of the last n lines
  window.__acTerminal = {type: typeBytes, onWriteParsed: f => term.onWriteParsed(f), bufferText: (n = Infinity) => {
    const b = term.buffer.active, out = [];
    for (let i = Math.max(0, b.length - n); i < b.length; i++) out.push(b.getLine(i).translateToString(true));
    return out.join('\n');
  }};

  return () => {
    delete window.__acTerminal;
    offConsole(); offE(); offS(); offA(); offErr(); ro.disconnect(); term.dispose();
  };
}

/** Console subscriptions are the dashboard's own plumbing (one per open terminal), not the session's story. */
function isPlumbing(e) {
  const p = e.payload || {};
  return typeof p === 'object' && typeof p.name === 'string' && p.name.startsWith('console.');
}

function summary(e) {
  const p = e.payload || e.data || {};
  if (typeof p !== 'object') return String(p);
  if (typeof p.name === 'string' && 'ok' in p) return p.name + (p.ok ? ' done' : ' failed: ' + (p.error || ''))
    + (p.created_by ? ' (' + p.created_by + ')' : '');
  if (p.tool_name) return p.tool_name + (p.tool_input && p.tool_input.command ? ': ' + p.tool_input.command : '');
  if (p.name && p.created_by) return p.name + ' by ' + p.created_by;
  if (p.status) return p.status;
  if (p.message) return p.message;
  const s = JSON.stringify(p);
  return s === '{}' ? '' : s.length > 160 ? s.slice(0, 160) + '…' : s;
}

function promptDialog(question, value) {
  return new Promise(resolve => {
    const input = h('input', {type: 'text', value, maxlength: 64, 'aria-label': question});
    const dlg = h('dialog', {class: 'confirm'});
    const done = v => { dlg.close(); dlg.remove(); resolve(v); };
    const form = h('form', {method: 'dialog', onsubmit: e => { e.preventDefault(); done(input.value.trim()); }},
      h('label', {}, question, input), h('div', {class: 'row'},
        h('button', {type: 'button', onclick: () => done(null)}, 'Cancel'),
        h('button', {type: 'submit', class: 'primary'}, 'Save name')));
    dlg.append(form);
    document.body.appendChild(dlg);
    dlg.showModal();
    input.select();
  });
}
