/**
 * A plain HTML rendering of the OpenAPI document, made on the server: no script, no CDN, nothing
 * leaves the machine (and the strict CSP needs no exception).
 */
type Json = Record<string, unknown>;

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function schemaText(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref) return `<a href="#schema-${esc(ref.split('/').pop())}">${esc(ref.split('/').pop())}</a>`;
  return `<code>${esc(JSON.stringify(schema))}</code>`;
}

export function renderDocsPage(doc: Json): string {
  const info = doc.info as Json;
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = ((op.parameters ?? []) as Json[])
        .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td>${esc((p.schema as Json | undefined)?.type)} ${esc(p.description ?? (p.schema as Json | undefined)?.description)}</td></tr>`)
        .join('');
      const body = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>;
      const bodies = Object.entries(body).map(([type, c]) => `<li><code>${esc(type)}</code> ${schemaText(c.schema)}</li>`).join('');
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
        .map(([status, r]) => `<li><b>${esc(status)}</b> ${esc(r.description)} ${Object.keys((r.content ?? {}) as Json).map((t) => `<code>${esc(t)}</code>`).join(' ')}</li>`)
        .join('');
      ops.push(`<section class="op"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th></tr>${params}</table>` : ''}
${bodies ? `<p>Request body:</p><ul>${bodies}</ul>` : ''}<p>Responses:</p><ul>${responses}</ul></section>`);
    }
  }
  const schemaBlocks = Object.entries(schemas)
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} API ${esc(info.version)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
.op{border-top:1px solid #ddd;padding:.4em 0}.m{display:inline-block;min-width:4.5em;font-size:.8em;padding:.1em .4em;border-radius:3px;color:#fff;background:#555}
.get{background:#2b7a3d}.post{background:#1f5fa8}.delete{background:#a83232}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
pre{background:#f6f6f6;padding:.6em;overflow:auto}</style></head><body>
<h1>${esc(info.title)} API <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${esc(doc.openapi)})</p>
<h2>Operations</h2>${ops.join('\n')}<h2>Schemas</h2>${schemaBlocks}</body></html>`;
}
