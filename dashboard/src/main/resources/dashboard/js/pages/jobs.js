// New session / job (/jobs): spawn a session in a git worktree, or start a Codex job. Both are host commands;
// what the server or agentd answers (e.g. "not supported yet") is shown as it is.
import {h, clear, action, toast} from '../dom.js';
import {get, post} from '../api.js';

export function show(view, ctx) {
  view.append(h('div', {class: 'head'}, h('h1', {}, 'New session or job')));
  if (!ctx.operator) {
    view.append(h('p', {class: 'muted'}, 'Viewers can watch sessions; starting one needs the operator role.'));
    return;
  }
  const hostSel = () => h('select', {'aria-label': 'Host', required: true});
  const h1 = hostSel(), h2 = hostSel();
  get('/v1/hosts').then(r => r.items.forEach(x => {
    h1.append(h('option', {value: x.id}, x.name + (x.connected ? '' : ' (offline)')));
    h2.append(h('option', {value: x.id}, x.name + (x.connected ? '' : ' (offline)')));
  }));
  const field = (label, el) => h('label', {}, h('span', {}, label), el);
  const repo = h('input', {type: 'text', placeholder: '/src/app', required: true});
  const branch = h('input', {type: 'text', placeholder: 'feature-x'});
  const wt = h('input', {type: 'text', placeholder: 'worktree name (optional)'});
  const provider = h('select', {}, ['claude', 'codex', 'shell'].map(p => h('option', {value: p}, p)));
  const prompt = h('textarea', {rows: 3, placeholder: 'What should the agent do? (optional)'});
  const status1 = h('p', {class: 'muted', role: 'status'});
  const watch = async (r, out) => {
    out.textContent = 'Sent (' + r.command_id + '), waiting for the host…';
    for (let i = 0; i < 60; i++) {
      await new Promise(res => setTimeout(res, 500));
      const c = await get('/v1/commands/' + encodeURIComponent(r.command_id));
      if (c.status !== 'queued' && c.status !== 'sent') {
        out.textContent = c.status === 'done' || c.ok ? 'Started.' : 'The host answered: ' + (c.error || c.status);
        if (c.result && c.result.session_id) ctx.go('/sessions/' + encodeURIComponent(c.result.session_id));
        return;
      }
    }
  };
  view.append(h('form', {class: 'form', onsubmit: e => e.preventDefault()}, h('h2', {}, 'Session in a worktree'),
    field('Host', h1), field('Repository path', repo), field('Branch', branch), field('Worktree name', wt),
    field('Provider', provider), field('Prompt', prompt),
    action('Start session', async () => {
      const body = {type: 'spawn_session', repo_path: repo.value.trim(), provider: provider.value};
      if (branch.value.trim()) body.branch = branch.value.trim();
      if (wt.value.trim()) body.worktree_name = wt.value.trim();
      if (prompt.value.trim()) body.prompt = prompt.value;
      await watch(await post('/v1/hosts/' + encodeURIComponent(h1.value) + '/commands', body), status1);
    }, 'primary'), status1));
  const cwd = h('input', {type: 'text', placeholder: '/src/app', required: true});
  const jprompt = h('textarea', {rows: 3, placeholder: 'The task for Codex', required: true});
  const sandbox = h('select', {}, ['workspace-write', 'read-only'].map(p => h('option', {value: p}, p)));
  const status2 = h('p', {class: 'muted', role: 'status'});
  view.append(h('form', {class: 'form', onsubmit: e => e.preventDefault()}, h('h2', {}, 'Codex job'),
    field('Host', h2), field('Working directory', cwd), field('Prompt', jprompt), field('Sandbox', sandbox),
    action('Start job', async () => {
      await watch(await post('/v1/hosts/' + encodeURIComponent(h2.value) + '/commands',
        {type: 'spawn_job', cwd: cwd.value.trim(), prompt: jprompt.value, sandbox: sandbox.value}), status2);
    }, 'primary'), status2));
}
