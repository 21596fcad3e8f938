// REST calls from the signed-in browser: the ac_session cookie rides along, and every state change carries the
// session's CSRF token (from GET /v1/me). A 401 means the session ended: go to /login and come back here after.

let csrf = null;

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign('/login' + (next && next !== '/' ? '?next=' + encodeURIComponent(next) : ''));
}

export async function api(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401) { toLogin(); throw new ApiError(401, 'unauthorized', 'signed out'); }
  if (!res.ok) {
    const e = json && json.error ? json.error : {code: 'http_' + res.status, message: text || res.statusText};
    throw new ApiError(res.status, e.code, e.message);
  }
  return json;
}

/** GET /v1/me: who is signed in, their role, and the CSRF token; null when nobody is (after redirecting). */
export async function me() {
  const res = await fetch('/v1/me', {credentials: 'same-origin', headers: {'Accept': 'application/json'}});
  if (res.status === 401) { toLogin(); return null; }
  if (!res.ok) throw new ApiError(res.status, 'me', 'GET /v1/me answered ' + res.status);
  const m = await res.json();
  csrf = m.csrf_token;
  return m;
}

export const get = p => api('GET', p);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const del = p => api('DELETE', p);
export const patch = (p, b) => api('PATCH', p, b);
