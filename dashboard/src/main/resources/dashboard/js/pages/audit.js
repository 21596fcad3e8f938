// Audit (/audit, admin): who did what, when, newest first, 200 at a time.
import {h, when, action} from '../dom.js';
import {get} from '../api.js';

export function show(view, ctx) {
  view.append(h('div', {class: 'head'}, h('h1', {}, 'Audit')));
  if (!ctx.admin) { view.append(h('p', {class: 'muted'}, 'Only admins see the audit log.')); return; }
  const list = h('ol', {class: 'timeline audit'});
  const more = h('div', {});
  view.append(list, more);
  async function load(before) {
    const r = await get('/v1/audit?limit=200' + (before ? '&before=' + encodeURIComponent(before) : ''));
    for (const a of r.items) {
      list.append(h('li', {dataset: {auditId: a.id}}, h('time', {datetime: a.ts || a.created_at}, when(a.ts || a.created_at)),
        h('span', {class: 'etype'}, a.action), h('span', {}, (a.actor || '') + (a.role ? ' (' + a.role + ')' : '')),
        h('span', {class: 'esummary'}, (a.target || '') + ' ' + (a.detail ? JSON.stringify(a.detail) : ''))));
    }
    more.replaceChildren(r.next ? action('Older entries', () => load(r.next)) : '');
  }
  load().catch(e => list.append(h('li', {class: 'notice'}, e.message)));
}
