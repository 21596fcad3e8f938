// A Codex job's events as lines a person reads: what it ran (and the exit code), what it said, what failed, how it
// ended. Events are job.started, codex.event (one per `codex exec --json` line, payload as Codex printed it),
// codex.unparsed and job.exited (docs/protocol.md, Codex jobs). Everything is text: the caller puts it in text nodes.

const cut = (s, n = 2000) => (s = String(s ?? ''), s.length > n ? s.slice(0, n) + '…' : s);

/** {kind, text} for one event, or null for one that says nothing to a reader (turn.started, item.started). */
export function jobLine(e) {
  const p = e.payload || {};
  switch (e.type) {
    case 'job.started': return {kind: 'meta', text: 'started' + (p.queued_ms ? ' after ' + p.queued_ms + ' ms queued' : '')};
    case 'codex.unparsed': return {kind: 'raw', text: cut(p.line)};
    case 'job.exited': return {kind: p.status === 'DONE' ? 'done' : 'failed', text: exited(p)};
    case 'codex.event': return codex(p);
    default: return e.type.startsWith('command.') ? null : {kind: 'meta', text: e.type};
  }
}

function exited(p) {
  const how = p.cancelled ? 'cancelled' : p.signal ? 'killed by ' + p.signal : 'exit ' + p.exit_code;
  const secs = typeof p.duration_ms === 'number' ? ', ' + (p.duration_ms / 1000).toFixed(1) + ' s' : '';
  return 'finished ' + (p.status || '') + ' (' + how + secs + ')' + (p.error ? ': ' + cut(p.error) : '');
}

function codex(p) {
  const it = p.item || {};
  switch (p.type) {
    case 'thread.started': return {kind: 'meta', text: 'thread ' + (p.thread_id || '')};
    case 'turn.completed': return {kind: 'meta', text: 'turn completed' + (p.usage
      ? ' (' + (p.usage.input_tokens ?? '?') + ' in, ' + (p.usage.output_tokens ?? '?') + ' out tokens)' : '')};
    case 'turn.failed': return {kind: 'failed', text: 'turn failed: ' + cut(p.error && p.error.message)};
    case 'error': return {kind: 'warn', text: cut(p.message)};
    case 'item.completed': break;
    default: return null; // turn.started, item.started, item.updated: the completed item says it all
  }
  switch (it.type) {
    case 'agent_message': return {kind: 'say', text: cut(it.text, 8000)};
    case 'reasoning': return {kind: 'think', text: cut(it.text)};
    case 'command_execution': return {kind: it.exit_code === 0 ? 'cmd' : 'failed',
      text: '$ ' + cut(it.command, 500) + (it.exit_code === null || it.exit_code === undefined ? ''
        : '  → exit ' + it.exit_code) + (it.aggregated_output ? '\n' + cut(it.aggregated_output) : '')};
    case 'file_change': return {kind: 'cmd', text: 'changed ' + (it.changes || [])
      .map(c => (c.kind && c.kind.type ? c.kind.type : c.kind || '') + ' ' + c.path).join(', ')};
    case 'mcp_tool_call': return {kind: 'cmd', text: 'tool ' + (it.server || '') + '.' + (it.tool || '')};
    case 'web_search': return {kind: 'cmd', text: 'searched: ' + cut(it.query, 300)};
    case 'todo_list': return {kind: 'meta', text: (it.items || []).map(t => (t.completed ? '☑ ' : '☐ ') + t.text).join('\n')};
    case 'error': return {kind: 'warn', text: cut(it.message)};
    default: return {kind: 'meta', text: it.type || 'item'};
  }
}
