// The graphql-http project's server audits (GraphQL over HTTP spec conformance) against a
// running server: every result printed, exit 1 on any error or warning, 2 when the audits
// could not run at all.
//
//   npm ci && node audit.mjs http://127.0.0.1:8000/graphql [--token <access token>]
//
// The token (or GRAPHQL_AUDIT_TOKEN) is sent as `Authorization: Bearer …` with every request,
// as a signed-in client would; without one the audits run as an anonymous client.
import { serverAudits } from 'graphql-http';

function usage(message) {
  console.error(`${message}\nusage: node audit.mjs <url> [--token <access token>] [--json]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let url;
let token = process.env.GRAPHQL_AUDIT_TOKEN || '';
let json = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--token') token = args[++i] ?? usage('--token needs a value');
  else if (args[i] === '--json') json = true;
  else if (!url) url = args[i];
  else usage(`unexpected argument: ${args[i]}`);
}
if (!url) usage('no URL given');

const authorised = (input, init = {}) => {
  if (!token) return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const audits = serverAudits({ url, fetchFn: authorised });
// One after the other: the results' order is the spec's, and a small server is not flooded.
const results = [];
for (const { id, name, fn } of audits) {
  try {
    results.push(await fn());
  } catch (error) {
    results.push({ id, name, status: 'error', reason: `the audit itself failed: ${error}` });
  }
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const lines = [];
for (const result of results) {
  counts[result.status] += 1;
  if (result.status === 'ok') {
    lines.push(`ok      ${result.id} ${result.name}`);
    continue;
  }
  let detail = '';
  if (result.response) {
    const type = result.response.headers.get('content-type') ?? '';
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 300);
    } catch {
      body = '(body already read)';
    }
    detail = `\n        ${result.response.status} ${type} ${body}`;
  }
  lines.push(`${result.status.padEnd(7)} ${result.id} ${result.name}: ${result.reason}${detail}`);
}
if (json) {
  console.log(JSON.stringify({ counts, results: results.map(({ response, ...rest }) => rest) }));
} else {
  console.log(lines.join('\n'));
  console.log(
    `\n${results.length} audits: ${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
  );
}
process.exit(counts.error || counts.warn ? 1 : 0);
