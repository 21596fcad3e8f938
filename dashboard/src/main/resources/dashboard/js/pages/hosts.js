// Hosts (/hosts): online/offline, last seen, agent version, outbox backlog, agentd RSS and last heartbeat (each "—"
// until the host reports it); admins add a host (a one-time enrollment line to paste on the dev box, or a
// registration whose token is shown once), rotate a token, remove a host. Reloaded every 10 s.
import {h, clear, age, when, action, toast, confirmDialog} from '../dom.js';
import {get, post, del} from '../api.js';

/** "73.4 MiB" for a byte count; "—" when the host did not report one (an older agentd or control plane). */
export function mib(bytes) {
  return typeof bytes === 'number' && bytes >= 0 ? (bytes / 1048576).toFixed(1) + ' MiB' : '—';
}

export function show(view, ctx) {
  const list = h('div', {class: 'hosts', role: 'list'});
  const secret = h('div', {class: 'secret', hidden: true});
  view.append(h('div', {class: 'head'}, h('h1', {}, 'Hosts')), secret);
  if (ctx.admin) {
    const name = h('input', {type: 'text', placeholder: 'devbox-1 (optional)', 'aria-label': 'Host name', maxlength: 64});
    view.append(h('form', {class: 'add', onsubmit: e => e.preventDefault()}, name,
      // the one line (DESIGN §12): a one-time code; the box installs agentd from here and trades the code for a token
      action('Add host', async () => {
        const r = await post('/v1/hosts/enroll-codes', name.value.trim() ? {name: name.value.trim()} : {});
        showSecret([(r.name ? 'To add ' + r.name + ', paste' : 'Paste') + ' this on the dev box (it needs a JDK 21 or newer).'
          + ' The code works once, until ' + when(r.expires_at) + '. With sudo it also installs the systemd service.'], r.command);
        name.value = '';
      }, 'primary'),
      action('Register with a token', async () => {
        if (!name.value.trim()) throw new Error('Give the host a name first');
        const r = await post('/v1/hosts', {name: name.value.trim()});
        showToken(r.host.name, r.token);
        name.value = '';
        load();
      })));
  }
  view.append(list);

  function showSecret(intro, line) {
    clear(secret).hidden = false;
    secret.append(h('p', {}, intro),
      h('pre', {class: 'code'}, h('code', {}, line)),
      h('div', {class: 'row'}, action('Copy', async () => { await navigator.clipboard.writeText(line); toast('Copied'); }),
        action('Done', async () => { clear(secret).hidden = true; })));
  }

  function showToken(hostName, token) {
    const ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/agent';
    showSecret(['The token of ', h('strong', {}, hostName), ' is shown only now. On the dev box:'],
      'AGENTD_CONTROL_PLANE_URL=' + ws + ' AGENTD_CONTROL_PLANE_TOKEN=' + token + ' ./commander agentd');
  }

  async function load() {
    const r = await get('/v1/hosts');
    clear(list);
    if (!r.items.length) list.append(h('p', {class: 'empty'}, 'No hosts yet.' + (ctx.admin ? ' Add one above.' : '')));
    for (const host of r.items) {
      const el = h('div', {class: 'host', role: 'listitem', dataset: {hostId: host.id}},
        h('div', {class: 'line1'}, h('strong', {}, host.name),
          h('span', {class: 'pill ' + (host.connected ? 'status-running' : 'status-exited')}, host.connected ? 'online' : 'offline'),
          h('span', {class: 'grow'}),
          h('span', {class: 'muted', title: when(host.last_seen_at)}, host.last_seen_at ? 'seen ' + age(host.last_seen_at) + ' ago' : 'never seen')),
        h('div', {class: 'line2 muted'}, h('span', {}, 'agentd ' + (host.agent_version || '—')),
          h('span', {}, 'acked seq ' + (host.last_acked_seq ?? '—')),
          h('span', {dataset: {field: 'outbox_backlog'}, title: 'Messages in agentd\'s outbox not yet acked'},
            'outbox backlog ' + (typeof host.outbox_backlog === 'number' ? host.outbox_backlog : '—')),
          h('span', {dataset: {field: 'rss_bytes'}, title: 'agentd\'s resident memory'},
            'agentd RSS ' + mib(host.rss_bytes)),
          h('span', {dataset: {field: 'heartbeat_at'}, title: host.heartbeat_at ? when(host.heartbeat_at) : ''},
            'heartbeat ' + (host.heartbeat_at ? age(host.heartbeat_at) + ' ago' : '—'))));
      if (ctx.admin) {
        el.append(h('div', {class: 'buttons'},
          action('Rotate token', async () => {
            if (!await confirmDialog('Rotate the token of ' + host.name + '? agentd there must get the new one.', 'Rotate token')) return;
            const t = await post('/v1/hosts/' + encodeURIComponent(host.id) + '/token');
            showToken(host.name, t.token);
          }),
          action('Remove', async () => {
            if (!await confirmDialog('Remove ' + host.name + ' and everything it reported?', 'Remove host')) return;
            await del('/v1/hosts/' + encodeURIComponent(host.id));
            toast('Removed ' + host.name);
            load();
          }, 'danger')));
      }
      list.append(el);
    }
  }
  load().catch(e => list.append(h('p', {class: 'notice'}, e.message)));
  const t = setInterval(() => load().catch(() => {}), 10000);
  return () => clearInterval(t);
}
