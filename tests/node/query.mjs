// Runs one SPARQL query with Comunica and prints the solutions as SPARQL JSON.
//   node query.mjs tpf|traversal ORIGIN SOURCE QUERY_FILE
// Every HTTP request outside ORIGIN is answered 404 here and never leaves the machine, so the
// link-traversal engine can follow any link and still only read the server under test.
import { readFileSync } from 'node:fs';

const [kind, origin, source, queryFile] = process.argv.slice(2);
const module = kind === 'traversal' ? '@comunica/query-sparql-link-traversal' : '@comunica/query-sparql';
const { QueryEngine } = await import(module);
const requested = [];

async function loopbackOnly(input, init) {
  const url = new URL(typeof input === 'string' ? input : input.url ?? String(input));
  if (url.origin !== origin) {
    return new Response('outside the server under test', { status: 404 });
  }
  requested.push(url.href);
  return fetch(input, init);
}

const engine = new QueryEngine();
const context = { sources: [source], fetch: loopbackOnly, lenient: kind === 'traversal' };
const stream = await engine.queryBindings(readFileSync(queryFile, 'utf8'), context);
const bindings = [];
for await (const row of stream) {
  const out = {};
  for (const [variable, term] of row) {
    const value = { type: term.termType === 'NamedNode' ? 'uri' : term.termType === 'BlankNode' ? 'bnode' : 'literal',
                    value: term.value };
    if (term.termType === 'Literal') {
      if (term.language) value['xml:lang'] = term.language;
      else if (term.datatype && term.datatype.value !== 'http://www.w3.org/2001/XMLSchema#string') value.datatype = term.datatype.value;
    }
    out[variable.value] = value;
  }
  bindings.push(out);
}
process.stdout.write(JSON.stringify({ results: { bindings }, requests: requested }));
