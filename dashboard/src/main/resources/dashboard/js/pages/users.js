// Users (/users, admin): role and disabled per user; the server refuses demoting or disabling the last admin.
import {h, clear, age, action, toast} from '../dom.js';
import {get, patch} from '../api.js';

export function show(view, ctx) {
  view.append(h('div', {class: 'head'}, h('h1', {}, 'Users')));
  if (!ctx.admin) { view.append(h('p', {class: 'muted'}, 'Only admins see users.')); return; }
  const list = h('div', {class: 'users', role: 'list'});
  view.append(list);
  async function load() {
    const r = await get('/v1/users');
    clear(list);
    for (const u of r.items) {
      const role = h('select', {'aria-label': 'Role of ' + u.login},
        ['admin', 'operator', 'viewer'].map(x => h('option', {value: x, selected: x === u.role}, x)));
      list.append(h('div', {class: 'user', role: 'listitem', dataset: {userId: u.id}},
        h('div', {class: 'line1'}, h('strong', {}, u.login), h('span', {class: 'muted'}, u.email || ''),
          u.disabled ? h('span', {class: 'pill status-error'}, 'disabled') : null, h('span', {class: 'grow'}),
          h('span', {class: 'muted'}, u.last_login_at ? 'signed in ' + age(u.last_login_at) + ' ago' : '')),
        h('div', {class: 'buttons'}, role,
          action('Save role', async () => { await patch('/v1/users/' + encodeURIComponent(u.id), {role: role.value}); toast('Saved'); load(); }),
          action(u.disabled ? 'Enable' : 'Disable', async () => {
            await patch('/v1/users/' + encodeURIComponent(u.id), {disabled: !u.disabled}); load();
          }, u.disabled ? '' : 'danger'))));
    }
  }
  load().catch(e => list.append(h('p', {class: 'notice'}, e.message)));
}
