// Sessions (/): every session of every host, live from the sessions topic; needs-attention and WAITING first,
// then by last activity. Filters run in the browser over the live set, so typing in the search box is instant;
// at most one repaint per frame, and it rebuilds only the rows whose session changed.
import {h, clear, age, action, toast} from '../dom.js';
import {get, post} from '../api.js';
import {subscribe} from '../socket.js';

export function show(view, ctx) {
  const sessions = new Map();
  const pending = new Map(); // approval id -> session id
  const hosts = new Map();
  const f = {host: '', provider: '', status: '', q: ''};
  const list = h('div', {class: 'sessions', role: 'list'});
  const count = h('span', {class: 'muted'});
  const hostSel = h('select', {'aria-label': 'Host', onchange: e => { f.host = e.target.value; paint(); }},
    h('option', {value: ''}, 'All hosts'));
  const filters = h('div', {class: 'filters'},
    h('input', {type: 'search', placeholder: 'Search name, cwd, branch…', 'aria-label': 'Search',
      oninput: e => { f.q = e.target.value.toLowerCase(); paint(); }}),
    hostSel,
    select('Provider', ['claude', 'codex', 'shell', 'other'], v => { f.provider = v; paint(); }),
    select('Status', ['WAITING', 'RUNNING', 'IDLE', 'DONE', 'ERROR', 'EXITED'], v => { f.status = v; paint(); }));
  view.append(h('div', {class: 'head'}, h('h1', {}, 'Sessions'), count), filters, list);

  get('/v1/hosts').then(r => {
    for (const host of r.items) {
      hosts.set(host.id, host);
      hostSel.append(h('option', {value: host.id}, host.name));
    }
    paint();
  }).catch(() => {});

  const drawn = new Map(); // session id -> {s, n, a, host, el}: the row on screen and what it was drawn from
  let queued = false;
  function paint() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; render(); });
  }

  function render() {
    const now = Date.now();
    const perSession = new Map();
    for (const sid of pending.values()) perSession.set(sid, (perSession.get(sid) || 0) + 1);
    const rows = [...sessions.values()].filter(s => matches(s, f, hosts)).sort((a, b) => rank(b, perSession) - rank(a, perSession)
      || (Date.parse(b.last_activity_at || 0) - Date.parse(a.last_activity_at || 0)));
    count.textContent = rows.length + (rows.length === sessions.size ? '' : ' of ' + sessions.size) + ' sessions';
    if (!rows.length) {
      drawn.clear();
      clear(list).append(h('p', {class: 'empty'}, sessions.size ? 'No session matches these filters.'
        : 'No sessions yet. Panes appear here as agentd finds them.'));
      return;
    }
    // a row is rebuilt only when what it shows changed; the rest are reused and, where the order moved, moved
    const want = [];
    const seen = new Set();
    for (const s of rows) {
      const n = perSession.get(s.session_id) || 0, a = age(s.last_activity_at, now);
      const host = hosts.get(s.host_id);
      let d = drawn.get(s.session_id);
      if (!d || d.s !== s || d.n !== n || d.a !== a || d.host !== host) {
        d = {s, n, a, host, el: row(s, n, now)};
        drawn.set(s.session_id, d);
      }
      seen.add(s.session_id);
      want.push(d.el);
    }
    for (const id of [...drawn.keys()]) if (!seen.has(id)) drawn.delete(id);
    let at = list.firstChild;
    for (const el of want) {
      if (el === at) at = at.nextSibling; else list.insertBefore(el, at);
    }
    while (at) { const next = at.nextSibling; at.remove(); at = next; } // rows no longer shown, or replaced
  }

  function row(s, approvals, now) {
    const host = hosts.get(s.host_id);
    const attn = s.needs_attention || s.status === 'WAITING' || approvals > 0;
    const el = h('div', {class: 'session' + (attn ? ' attention' : ''), role: 'listitem',
      dataset: {sessionId: s.session_id, hostId: s.host_id, status: s.status}},
      h('div', {class: 'line1'},
        h('a', {class: 'name', href: (s.kind === 'job' ? '/jobs?job=' : '/sessions/') + encodeURIComponent(s.session_id)},
          s.name || s.title || (s.tmux && s.tmux.pane_id) || s.session_id),
        h('span', {class: 'pill status-' + (s.status || '').toLowerCase()}, s.status),
        approvals ? h('a', {class: 'badge', href: '/approvals', title: 'Pending approvals'},
          approvals + ' pending') : null,
        h('span', {class: 'grow'}),
        h('span', {class: 'muted', title: s.last_activity_at || ''}, age(s.last_activity_at, now))),
      h('div', {class: 'line2 muted'},
        h('span', {}, host ? host.name : s.host_id),
        h('span', {}, s.provider),
        s.git && s.git.branch ? h('span', {class: 'branch'}, s.git.branch + (s.git.dirty ? '*' : '')) : null,
        h('span', {class: 'cwd'}, s.cwd || '')));
    // Adopt only for panes nobody started or adopted through us (managed: false); an agentd older than the field
    // does not say (absent), and adopt_pane is idempotent, so such a pane offers it too
    if (ctx.operator && s.kind === 'pane' && s.managed !== true && s.tmux && s.tmux.pane_id) {
      el.querySelector('.line1').append(action('Adopt', async () => {
        await post('/v1/hosts/' + encodeURIComponent(s.host_id) + '/commands', {type: 'adopt_pane', pane_id: s.tmux.pane_id});
        toast('Adopting ' + s.tmux.pane_id);
      }, 'small'));
    }
    return el;
  }

  const offS = subscribe('sessions', {}, m => {
    if (m.type === 'subscribed') { sessions.clear(); }
    else if (m.type === 'sessions.changed') sessions.set(m.session.session_id, m.session);
    else if (m.type === 'sessions.removed') sessions.delete(m.session_id);
    else return;
    paint();
  });
  const offA = subscribe('approvals', {status: 'pending'}, m => {
    if (m.type === 'subscribed') pending.clear();
    else if (m.type === 'approvals.changed') {
      const a = m.approval;
      if (a.status === 'pending' && a.session_id) pending.set(a.id, a.session_id); else pending.delete(a.id);
    } else return;
    paint();
  });
  const tick = setInterval(paint, 10000);
  return () => { offS(); offA(); clearInterval(tick); };
}

function select(label, values, onchange) {
  return h('select', {'aria-label': label, onchange: e => onchange(e.target.value)},
    h('option', {value: ''}, 'Any ' + label.toLowerCase()), values.map(v => h('option', {value: v}, v)));
}

function rank(s, perSession) {
  return (s.needs_attention || perSession.get(s.session_id) ? 2 : 0) + (s.status === 'WAITING' ? 1 : 0);
}

function matches(s, f, hosts) {
  if (f.host && s.host_id !== f.host) return false;
  if (f.provider && s.provider !== f.provider) return false;
  if (f.status && s.status !== f.status) return false;
  if (f.q) {
    const host = hosts.get(s.host_id);
    const hay = [s.name, s.title, s.cwd, s.git && s.git.branch, s.git && s.git.repo, host && host.name, s.session_id]
      .filter(Boolean).join(' ').toLowerCase();
    if (!hay.includes(f.q)) return false;
  }
  return true;
}
