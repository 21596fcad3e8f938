// Approvals (/approvals): the inbox across hosts, oldest first. Each card makes the input readable (a Bash
// command as code, Edit/Write/MultiEdit as a diff with the file path), shows age and time left, and offers
// Allow, Deny (with a message), one Always allow per permission suggestion, and edit-then-allow for Bash.
// Select several to allow or deny them together. A decided request leaves every open inbox live.
import {h, clear, age, timeLeft, action, toast} from '../dom.js';
import {post} from '../api.js';
import {subscribe} from '../socket.js';
import {diffLines} from '../diff.js';
import {names} from '../names.js';

export function show(view, ctx) {
  const items = new Map();
  const selected = new Set();
  const list = h('div', {class: 'approvals'});
  const count = h('span', {class: 'muted'});
  const bulk = h('div', {class: 'bulk', hidden: true});
  view.append(h('div', {class: 'head'}, h('h1', {}, 'Approvals'), count), bulk, list);
  const focus = ctx.params[0];
  let known = {host: new Map(), session: new Map()};
  names().then(n => { known = n; list.querySelectorAll('[data-approval-id]').forEach(el => { el.dataset.rev = ''; }); paint(); });

  const decideMany = async behavior => {
    const ids = [...selected];
    let failed = 0;
    await Promise.all(ids.map(id => post('/v1/approvals/' + encodeURIComponent(id) + '/decision', {behavior})
      .catch(() => { failed++; })));
    selected.clear();
    toast((behavior === 'allow' ? 'Allowed ' : 'Denied ') + (ids.length - failed) + (failed ? ', ' + failed + ' failed' : ''), failed > 0);
    paint();
  };
  if (ctx.operator) {
    bulk.append(h('span', {class: 'selcount'}), action('Allow selected', () => decideMany('allow'), 'primary'),
      action('Deny selected', () => decideMany('deny'), 'danger'), action('Clear selection', async () => { selected.clear(); paint(); }));
  }

  function paint() {
    const rows = [...items.values()].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    count.textContent = rows.length + ' pending';
    for (const id of [...selected]) if (!items.has(id)) selected.delete(id);
    bulk.hidden = selected.size === 0;
    const sc = bulk.querySelector('.selcount');
    if (sc) sc.textContent = selected.size + ' selected';
    const keep = new Set(rows.map(a => a.id));
    list.querySelectorAll('[data-approval-id]').forEach(el => { if (!keep.has(el.dataset.approvalId)) el.remove(); });
    if (!rows.length) {
      if (!list.querySelector('.empty')) list.append(h('p', {class: 'empty'}, 'Nothing waits for a decision.'));
      return;
    }
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();
    let prev = null;
    for (const a of rows) {
      let el = list.querySelector('[data-approval-id="' + CSS.escape(a.id) + '"]');
      if (!el || el.dataset.rev !== rev(a)) {
        const fresh = card(a, ctx, {selected, onSelect: paint, focus: focus === a.id, names: known});
        if (el) el.replaceWith(fresh); el = fresh;
      }
      const box = el.querySelector('input.select');
      if (box) box.checked = selected.has(a.id);
      if (prev ? prev.nextSibling !== el : list.firstChild !== el) list.insertBefore(el, prev ? prev.nextSibling : list.firstChild);
      prev = el;
    }
  }

  const off = subscribe('approvals', {status: 'pending'}, m => {
    if (m.type === 'subscribed') { items.clear(); }
    else if (m.type === 'approvals.changed') {
      if (m.approval.status === 'pending') items.set(m.approval.id, m.approval); else items.delete(m.approval.id);
    } else return;
    paint();
  });
  const tick = setInterval(() => list.querySelectorAll('[data-created]').forEach(el => {
    el.querySelector('.age').textContent = age(el.dataset.created) + ' ago';
    const left = el.querySelector('.left');
    if (left && el.dataset.expires) left.textContent = timeLeft(el.dataset.expires);
  }), 1000);
  paint();
  return () => { off(); clearInterval(tick); };
}

const rev = a => a.status + '|' + (a.decided_at || '') + '|' + (a.expires_at || '');

/** One approval as a card; used by the inbox and inline on a session page. */
export function card(a, ctx, opts) {
  const input = a.tool_input || {};
  const el = h('article', {class: 'approval' + (opts.focus ? ' focus' : ''),
    dataset: {approvalId: a.id, sessionId: a.session_id || '', hostId: a.host_id || '', created: a.created_at,
      expires: a.expires_at || '', rev: rev(a)}});
  const head = h('header', {},
    ctx.operator && opts.selected ? h('input', {type: 'checkbox', class: 'select', 'aria-label': 'Select ' + a.tool_name + ' request',
      onchange: e => { if (e.target.checked) opts.selected.add(a.id); else opts.selected.delete(a.id); opts.onSelect(); }}) : null,
    h('span', {class: 'tool'}, a.tool_name),
    a.decided_by ? h('span', {class: 'muted'}, 'decided by ' + a.decided_by) : null,
    h('span', {class: 'grow'}),
    h('span', {class: 'age muted'}, age(a.created_at) + ' ago'),
    a.expires_at ? h('span', {class: 'left muted'}, timeLeft(a.expires_at)) : null);
  const where = h('div', {class: 'where muted'},
    a.host_id ? h('span', {}, a.host_name || (opts.names && opts.names.host.get(a.host_id)) || a.host_id) : null,
    a.session_id ? h('a', {href: '/sessions/' + encodeURIComponent(a.session_id)},
      a.session_name || (opts.names && opts.names.session.get(a.session_id)) || 'session') : null,
    a.cwd ? h('span', {class: 'cwd'}, a.cwd) : null);
  el.append(head, where, body(a.tool_name, input));
  if (a.status && a.status !== 'pending') {
    el.append(h('p', {class: 'decided'}, a.status + (a.decided_by ? ' by ' + a.decided_by : '')));
    return el;
  }
  if (!ctx.operator) return el;

  const decide = (body, what) => post('/v1/approvals/' + encodeURIComponent(a.id) + '/decision', body)
    .then(() => toast(what)).catch(e => {
      if (e.status === 409) toast('Already decided elsewhere'); else throw e;
    });
  const row = h('div', {class: 'buttons'});
  row.append(action('Allow', () => decide({behavior: 'allow'}, 'Allowed'), 'primary'));
  const denyBox = h('div', {class: 'deny', hidden: true});
  const msg = h('input', {type: 'text', placeholder: 'Tell the agent why (optional)', 'aria-label': 'Deny message', maxlength: 2000});
  denyBox.append(msg, action('Send deny', () => decide({behavior: 'deny', message: msg.value || undefined}, 'Denied'), 'danger'));
  row.append(action('Deny…', async () => { denyBox.hidden = !denyBox.hidden; if (!denyBox.hidden) msg.focus(); }, 'danger'));
  const sugg = Array.isArray(a.permission_suggestions) ? a.permission_suggestions : [];
  sugg.forEach(s => row.append(action(suggestionLabel(s, a.tool_name),
    () => decide({behavior: 'allow', updated_permissions: [s]}, 'Allowed, and remembered'))));
  if (a.tool_name === 'Bash' && typeof input.command === 'string') {
    const editBox = h('div', {class: 'edit', hidden: true});
    const ta = h('textarea', {rows: 3, 'aria-label': 'Command to run instead', spellcheck: 'false'});
    ta.value = input.command;
    editBox.append(ta, action('Allow edited command', () =>
      decide({behavior: 'allow', updated_input: {...input, command: ta.value}}, 'Allowed the edited command'), 'primary'));
    row.append(action('Edit…', async () => { editBox.hidden = !editBox.hidden; if (!editBox.hidden) ta.focus(); }));
    el.append(row, editBox, denyBox);
  } else {
    el.append(row, denyBox);
  }
  return el;
}

/** What an "always allow" suggestion allows, from its own description when it has one. */
export function suggestionLabel(s, tool) {
  if (s && typeof s.description === 'string' && s.description) return 'Always allow: ' + s.description;
  if (s && typeof s.label === 'string' && s.label) return 'Always allow: ' + s.label;
  if (s && Array.isArray(s.rules) && s.rules.length) {
    const rules = s.rules.map(r => r.toolName + (r.ruleContent ? '(' + r.ruleContent + ')' : '')).join(', ');
    return 'Always allow ' + rules + (s.destination ? ' (' + s.destination + ')' : '');
  }
  if (s && s.type === 'setMode' && s.mode) return 'Always allow: switch to ' + s.mode + ' mode';
  if (s && Array.isArray(s.directories)) return 'Always allow in ' + s.directories.join(', ');
  return 'Always allow ' + tool;
}

function body(tool, input) {
  if (tool === 'Bash' && typeof input.command === 'string') {
    return h('div', {class: 'input'}, input.description ? h('p', {class: 'muted'}, input.description) : null,
      h('pre', {class: 'code'}, h('code', {}, input.command)));
  }
  if (tool === 'Edit' || tool === 'Write' || tool === 'MultiEdit' || tool === 'NotebookEdit') {
    const path = input.file_path || input.notebook_path || '';
    const edits = tool === 'MultiEdit' && Array.isArray(input.edits) ? input.edits
      : tool === 'Write' ? [{old_string: '', new_string: input.content || ''}]
        : [{old_string: input.old_string || '', new_string: input.new_string || input.new_source || ''}];
    return h('div', {class: 'input'}, h('p', {class: 'path'}, path),
      edits.map(e => diffView(trimNl(String(e.old_string ?? '')), trimNl(String(e.new_string ?? '')))));
  }
  return h('div', {class: 'input'}, h('pre', {class: 'code'}, h('code', {}, JSON.stringify(input, null, 2))));
}

const trimNl = s => s.endsWith('\n') ? s.slice(0, -1) : s;

function diffView(a, b) {
  const table = h('div', {class: 'diff', role: 'table', 'aria-label': 'Changes'});
  for (const [op, text] of diffLines(a, b)) {
    table.append(h('div', {class: 'dl ' + (op === '-' ? 'del' : op === '+' ? 'add' : 'ctx'), role: 'row'},
      h('span', {class: 'op', 'aria-hidden': 'true'}, op === ' ' ? '' : op), h('span', {class: 'txt'}, text)));
  }
  return table;
}
