// New session / job (/jobs): spawn a session in a git worktree, or start a Codex job; below, every Codex job, live
// (the sessions topic with kind: job), and the one being followed (/jobs?job=ID) with its events as they arrive
// (the events topic for that job): its lines appear and its end shows without a reload. What the server or agentd
// answers to a start (e.g. a refused cwd) is shown as it is.
import {h, clear, age, action, toast, confirmDialog} from '../dom.js';
import {get, post} from '../api.js';
import {subscribe} from '../socket.js';
import {jobLine} from '../joblog.js';

const FINAL = new Set(['DONE', 'ERROR', 'EXITED']);

export function show(view, ctx) {
  view.append(h('div', {class: 'head'}, h('h1', {}, ctx.operator ? 'New session or job' : 'Codex jobs')));
  const hostNames = new Map();
  const jobs = new Map();
  const list = h('div', {class: 'jobs', role: 'list'});
  const log = h('section', {class: 'joblog', hidden: true, 'aria-live': 'polite'});
  let followed = null; // {id, off, head}
  const left = h('div', {class: 'start'});
  if (ctx.operator) forms(left, ctx, hostNames, id => { follow(id); log.scrollIntoView({block: 'nearest'}); });
  else left.append(h('p', {class: 'muted'}, 'Viewers can watch jobs; starting one needs the operator role.'));
  view.append(h('div', {class: 'jobs-page'}, left, h('div', {class: 'watch'}, h('h2', {}, 'Codex jobs'), log, list)));

  get('/v1/hosts').then(r => { r.items.forEach(x => hostNames.set(x.id, x.name)); paint(); }).catch(() => {});

  let queued = false;
  function paint() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; render(); });
  }
  function render() {
    const rows = [...jobs.values()].sort((a, b) => Date.parse(b.started_at || 0) - Date.parse(a.started_at || 0));
    clear(list);
    if (!rows.length) list.append(h('p', {class: 'empty'}, 'No Codex jobs yet.'));
    const now = Date.now();
    for (const j of rows) {
      list.append(h('div', {class: 'job session' + (followed && followed.id === j.session_id ? ' followed' : ''),
        role: 'listitem', dataset: {sessionId: j.session_id, hostId: j.host_id, status: j.status}},
        h('div', {class: 'line1'},
          h('a', {class: 'name', href: '/jobs?job=' + encodeURIComponent(j.session_id),
            onclick: e => { e.preventDefault(); e.stopPropagation(); follow(j.session_id); }}, j.name || j.session_id),
          h('span', {class: 'pill status-' + String(j.status).toLowerCase()}, j.status),
          h('span', {class: 'grow'}),
          h('span', {class: 'muted', title: j.last_activity_at || ''}, age(j.last_activity_at, now))),
        h('div', {class: 'line2 muted'}, h('span', {}, hostNames.get(j.host_id) || j.host_id),
          h('span', {class: 'cwd'}, j.cwd || ''),
          j.usage ? h('span', {}, (j.usage.output_tokens ?? 0) + ' output tokens') : null)));
    }
    if (followed) head(jobs.get(followed.id));
  }

  /** The followed job's header: name, status (its end shows here live), and Cancel while it runs. */
  function head(j) {
    if (!followed || !j) return;
    const parts = [h('strong', {}, j.name || j.session_id),
      h('span', {class: 'pill status-' + String(j.status).toLowerCase(), dataset: {jobStatus: j.status}}, j.status),
      h('span', {class: 'muted'}, FINAL.has(j.status) ? 'finished' : 'running, live'), h('span', {class: 'grow'}),
      ctx.operator && !FINAL.has(j.status) ? action('Cancel job', async () => {
        if (!await confirmDialog('Cancel this Codex job? Its process is stopped.', 'Cancel job')) return;
        await post('/v1/sessions/' + encodeURIComponent(j.session_id) + '/commands', {type: 'cancel_job'});
        toast('Cancel sent');
      }, 'danger') : null];
    clear(followed.head).append(...parts.filter(Boolean)); // DOM append would print a null as "null"
  }

  function follow(id) {
    if (followed) followed.off();
    history.replaceState(null, '', '/jobs?job=' + encodeURIComponent(id));
    const lines = h('ol', {class: 'lines', dataset: {jobLog: id}});
    const top = h('div', {class: 'line1'});
    clear(log).append(top, lines);
    log.hidden = false;
    const seen = new Set();
    const add = e => {
      const key = e.host_id + ':' + e.seq;
      if (seen.has(key)) return;
      seen.add(key);
      const l = jobLine(e);
      if (!l) return;
      const atEnd = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 8; // following the tail
      lines.append(h('li', {class: 'jl ' + l.kind, dataset: {eventType: e.type}}, l.text));
      while (lines.children.length > 2000) lines.firstChild.remove();
      if (atEnd) lines.scrollTop = lines.scrollHeight;
    };
    // live first, then the history, so nothing falls between the two (duplicates dropped by host and seq)
    const off = subscribe('events', {session_id: id}, m => { if (m.type === 'events.appended') add(m.event); });
    followed = {id, off, head: top};
    (async () => {
      let after = 0;
      for (;;) {
        const r = await get('/v1/sessions/' + encodeURIComponent(id) + '/events?limit=1000&after=' + after);
        if (!followed || followed.id !== id) return;
        r.items.forEach(add);
        if (r.items.length < 1000) break;
        after = r.items[r.items.length - 1].id;
      }
    })().catch(e => lines.append(h('li', {class: 'jl failed'}, e.message)));
    if (!jobs.has(id)) get('/v1/sessions/' + encodeURIComponent(id)).then(s => { jobs.set(id, s); paint(); }).catch(() => {});
    paint();
  }

  const offJobs = subscribe('sessions', {kind: 'job'}, m => {
    if (m.type === 'subscribed') jobs.clear();
    else if (m.type === 'sessions.changed') jobs.set(m.session.session_id, m.session);
    else if (m.type === 'sessions.removed') jobs.delete(m.session_id);
    else return;
    paint();
  });
  const want = new URLSearchParams(location.search).get('job');
  if (want && /^[A-Za-z0-9_.:-]{1,128}$/.test(want)) follow(want);
  const tick = setInterval(paint, 10000);
  return () => { offJobs(); if (followed) followed.off(); followed = null; clearInterval(tick); };
}

function forms(view, ctx, hostNames, onJob) {
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
  /** Polls the command until the host answered; then the new session's page, or the new job followed here. */
  const watch = async (r, out, job) => {
    out.textContent = 'Sent (' + r.command_id + '), waiting for the host…';
    for (let i = 0; i < 60; i++) {
      await new Promise(res => setTimeout(res, 500));
      const c = await get('/v1/commands/' + encodeURIComponent(r.command_id));
      if (c.status !== 'queued' && c.status !== 'sent') {
        out.textContent = c.status === 'done' || c.ok ? 'Started.' : 'The host answered: ' + (c.error || c.status);
        const sid = c.result && c.result.session_id;
        if (sid && job) onJob(sid);
        else if (sid) ctx.go('/sessions/' + encodeURIComponent(sid));
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
      await watch(await post('/v1/hosts/' + encodeURIComponent(h1.value) + '/commands', body), status1, false);
    }, 'primary'), status1));
  const cwd = h('input', {type: 'text', placeholder: '/src/app', required: true, 'aria-label': 'Working directory'});
  const jprompt = h('textarea', {rows: 3, placeholder: 'The task for Codex', required: true, 'aria-label': 'Prompt'});
  const sandbox = h('select', {}, ['workspace-write', 'read-only'].map(p => h('option', {value: p}, p)));
  const status2 = h('p', {class: 'muted', role: 'status'});
  view.append(h('form', {class: 'form', onsubmit: e => e.preventDefault()}, h('h2', {}, 'Codex job'),
    field('Host', h2), field('Working directory', cwd), field('Prompt', jprompt), field('Sandbox', sandbox),
    action('Start job', async () => {
      await watch(await post('/v1/hosts/' + encodeURIComponent(h2.value) + '/commands',
        {type: 'spawn_job', cwd: cwd.value.trim(), prompt: jprompt.value, sandbox: sandbox.value}), status2, true);
    }, 'primary'), status2));
}
