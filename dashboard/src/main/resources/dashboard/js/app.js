// The dashboard's shell: who is signed in (GET /v1/me, else /login), the navigation, the live connection, and a
// router over real URLs (history API) that gives each page the #view element and its own subscriptions.
import {me} from './api.js';
import {connect} from './socket.js';
import {h, clear} from './dom.js';
// pages load on demand: the session page brings xterm.js (345 KB), the others do not need it
const ROUTES = [
  [/^\/$/, () => import('./pages/sessions.js'), 'Sessions'],
  [/^\/sessions\/([A-Za-z0-9_.:-]+)$/, () => import('./pages/session.js'), null],
  [/^\/approvals(?:\/([A-Za-z0-9_.:-]+))?$/, () => import('./pages/approvals.js'), 'Approvals'],
  [/^\/hosts$/, () => import('./pages/hosts.js'), 'Hosts'],
  [/^\/jobs$/, () => import('./pages/jobs.js'), 'New session'],
  [/^\/users$/, () => import('./pages/users.js'), 'Users'],
  [/^\/audit$/, () => import('./pages/audit.js'), 'Audit'],
];
const NAV = [['/', 'Sessions'], ['/approvals', 'Approvals'], ['/hosts', 'Hosts'], ['/jobs', 'New'],
  ['/users', 'Users', 'admin'], ['/audit', 'Audit', 'admin']];

let ctx = null;
let leave = null;
let rendering = 0;

export function go(path) {
  history.pushState(null, '', path);
  render();
}

async function render() {
  const mine = ++rendering;
  if (leave) { try { leave(); } catch (e) { console.warn(e); } leave = null; }
  const view = clear(document.getElementById('view'));
  const path = location.pathname;
  document.querySelectorAll('#nav a').forEach(a =>
    a.setAttribute('aria-current', (a.getAttribute('href') === '/' ? path === '/' || path.startsWith('/sessions/')
      : path.startsWith(a.getAttribute('href'))) ? 'page' : 'false'));
  for (const [re, load, title] of ROUTES) {
    const m = path.match(re);
    if (m) {
      document.title = (title || 'Session') + ' · Agent Commander';
      const page = await load();
      if (mine !== rendering) return; // another navigation started meanwhile
      leave = page.show(view, {...ctx, params: m.slice(1), go}) || null;
      return;
    }
  }
  view.append(h('h1', {}, 'Not found'), h('p', {}, 'No page at ' + path + '. '), h('a', {href: '/'}, 'Sessions'));
}

async function start() {
  const m = await me();
  if (!m) return;
  const role = m.role;
  ctx = {me: m, role, operator: role === 'operator' || role === 'admin', admin: role === 'admin'};
  document.body.dataset.role = role;
  const nav = document.getElementById('nav');
  for (const [href, label, need] of NAV) {
    if (need === 'admin' && !ctx.admin) continue;
    nav.append(h('a', {href}, label));
  }
  const who = document.getElementById('who');
  who.append(h('span', {class: 'login'}, m.user.login), h('span', {class: 'role'}, role),
    h('form', {method: 'post', action: '/auth/logout', class: 'logout', onsubmit: logout},
      h('button', {type: 'submit'}, 'Sign out')));
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a[href^="/"]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target || a.hasAttribute('download')) return;
    if (a.getAttribute('href').startsWith('/auth/') || a.getAttribute('href').startsWith('/v1/')) return;
    e.preventDefault();
    go(a.getAttribute('href'));
  });
  window.addEventListener('popstate', render);
  connect();
  render();
}

async function logout(e) {
  e.preventDefault();
  const {post} = await import('./api.js');
  try { await post('/auth/logout'); } finally { location.assign('/login'); }
}

start().catch(e => {
  const view = clear(document.getElementById('view'));
  view.append(h('h1', {}, 'The dashboard could not start'), h('p', {}, String(e.message || e)));
});
