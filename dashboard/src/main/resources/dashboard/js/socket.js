// The one UI socket (/v1/ui, cookie-authenticated): subscriptions by id, re-sent after every reconnect, so each
// page gets a fresh initial state (sessions list, console snapshot) without a reload. Reconnects with jittered
// exponential backoff (0.5 s doubling to 15 s) and shows its state on the element with data-connection.

const subs = new Map();
let ws = null;
let attempt = 0;
let nextSub = 1;
let timer = null;
let pinger = null;
const stateListeners = new Set();
let state = 'connecting';

function setState(s) {
  state = s;
  const el = document.getElementById('conn');
  if (el) { el.dataset.connection = s; el.textContent = s; }
  stateListeners.forEach(f => f(s));
}

export function connectionState() { return state; }
export function onState(f) { stateListeners.add(f); return () => stateListeners.delete(f); }

export function connect() {
  if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
  clearTimeout(timer);
  setState(attempt === 0 ? 'connecting' : state === 'online' ? 'connecting' : 'offline');
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ui';
  const sock = new WebSocket(url);
  ws = sock;
  sock.onopen = () => {
    attempt = 0;
    setState('online');
    for (const [id, s] of subs) send({type: 'subscribe', sub: id, topic: s.topic, filter: s.filter});
    clearInterval(pinger);
    pinger = setInterval(() => send({type: 'ping'}), 25000);
  };
  sock.onmessage = ev => {
    let m;
    try { m = JSON.parse(ev.data); } catch { return; }
    if (m.type === 'error' && !m.sub) { console.warn('ui socket:', m.error); errorListeners.forEach(f => f(m.error)); return; }
    const s = m.sub && subs.get(m.sub);
    if (s) s.handler(m);
  };
  sock.onclose = ev => {
    if (ws !== sock) return;
    ws = null;
    clearInterval(pinger);
    setState('offline');
    if (ev.code === 1008 && /unauthorized|session|expired/i.test(ev.reason || '')) {
      import('./api.js').then(a => a.toLogin());
      return;
    }
    attempt++;
    const base = Math.min(15000, 500 * 2 ** Math.min(attempt - 1, 5));
    timer = setTimeout(connect, base / 2 + Math.random() * base / 2);
  };
}

const errorListeners = new Set();
export function onSocketError(f) { errorListeners.add(f); return () => errorListeners.delete(f); }

export function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(msg)); return true; }
  return false;
}

/** Subscribes; handler gets every frame of this subscription. Returns the unsubscribe function. */
export function subscribe(topic, filter, handler) {
  const id = 's' + nextSub++;
  subs.set(id, {topic, filter: filter || {}, handler});
  send({type: 'subscribe', sub: id, topic, filter: filter || {}});
  return () => { subs.delete(id); send({type: 'unsubscribe', sub: id}); };
}

/** Test and benchmark hook: drop the socket as if the network had (it reconnects by itself). */
window.__acDropSocket = () => { if (ws) ws.close(); };
