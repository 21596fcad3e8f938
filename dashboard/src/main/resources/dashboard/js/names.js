// Names for ids: approvals carry host_id and session_id only, so cards look up what a person calls them.
// Loaded once per page view (hosts and sessions lists); an id stays shown as the id until its name is known.
import {get} from './api.js';

export async function names() {
  const [hosts, sessions] = await Promise.all([get('/v1/hosts').catch(() => ({items: []})),
    get('/v1/sessions?limit=1000').catch(() => ({items: []}))]);
  return {
    host: new Map(hosts.items.map(x => [x.id, x.name])),
    session: new Map(sessions.items.map(s => [s.session_id, s.name || s.title || s.session_id])),
  };
}
