#!/usr/bin/env node
// `make single`: writes dist/sigmafit.html, the whole page in one file that works when
// opened from file:// (double-clicked, from a USB stick or an e-mail attachment), with
// no server and no network.
//
// A page opened from file:// has an opaque origin: it may not fetch its own files, may
// not load ES modules from files, and (in Chromium) may not start a module worker from
// a blob: URL. So everything goes inside the HTML:
//
// - the ES modules of the page (www/app.js and what it imports, pkg/sigmafit.js
//   included) are rewritten into one classic-style bundle: each module becomes a
//   function in a small registry, its `import`s read the exports of the modules it
//   names, its `export`s become live getters, `import.meta.url` becomes the URL the
//   module would have beside the HTML file. That bundle is the page's one inline
//   script, allowed by its SHA-256 in the Content-Security-Policy.
// - the fitting worker (www/worker.js, started by www/pool.js with
//   `new Worker(new URL('./worker.js', import.meta.url), {type: 'module'})`) is bundled
//   the same way into a classic script; the page starts it from a blob: URL (the
//   policy allows `worker-src blob:`), so series are still fitted in workers.
// - the WebAssembly and the bundled examples (www/examples/, the series' index.json
//   and files) are inlined as base64 in a JSON data block. `fetch` is replaced by one
//   that answers the page's own paths from those bytes and refuses anything else (the
//   policy also says `connect-src 'none'`), so no request can leave the file. The core
//   is compiled from the inlined bytes by the page's own code (compileCore).
// - the stylesheet is inlined (by hash in the policy) and the icon is a data: URL.
//   The page uses system fonts only, so there is no font to inline.
//
// Run from the repository root after `make build` (it reads pkg/).

import { readFile, writeFile, mkdir, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'sigmafit.html');
const ENTRY = 'www/app.js';

const TYPES = {
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

function fail(message) {
  console.error(`make single: ${message}`);
  process.exit(1);
}

const read = (rel) => readFile(path.join(ROOT, rel), 'utf8');
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('base64');

/** `spec` as seen from the module `from` (both relative to the repository root, posix). */
function resolve(from, spec) {
  if (!spec.startsWith('./') && !spec.startsWith('../')) fail(`${from}: only relative imports can be bundled, not "${spec}"`);
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

const IMPORT = /^import\s+(?:([\s\S]*?)\s+from\s+)?(['"])([^'"]+)\2\s*;?/gm;
const NEW_URL = /new\s+URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/** The import clause `X, { a, b as c }` or `* as ns` as destructuring of the module object `m`. */
function bindings(clause, m) {
  const out = [];
  let rest = clause.trim();
  const ns = rest.match(/^\*\s+as\s+([\w$]+)$/);
  if (ns) return [`const ${ns[1]} = ${m};`];
  const first = rest.match(/^([\w$]+)\s*(?:,\s*|$)/);
  if (first && !rest.startsWith('{')) {
    out.push(`const ${first[1]} = ${m}.default;`);
    rest = rest.slice(first[0].length).trim();
  }
  if (rest.startsWith('* as')) {
    out.push(`const ${rest.slice(4).trim()} = ${m};`);
  } else if (rest.startsWith('{')) {
    const names = rest.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean)
      .map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
    out.push(`const { ${names.join(', ')} } = ${m};`);
  } else if (rest) {
    fail(`cannot read the import clause "${clause}"`);
  }
  return out;
}

/**
 * One ES module as a registry entry: its dependencies (modules and workers, by path)
 * and its body as the function `(__exports, __require, __meta) => { ... }`.
 */
function convert(id, source) {
  const imports = [];
  const workers = [];
  const urls = [];
  let body = source;
  if (/^export\s+(\*|default\b)/m.test(body)) fail(`${id}: "export *" and "export default" are not bundled; name the exports`);
  if (/\bimport\s*\(/.test(body.replace(/\/\/.*$/gm, ''))) fail(`${id}: dynamic import() is not bundled`);
  let n = 0;
  body = body.replace(IMPORT, (_, clause, __, spec) => {
    const target = resolve(id, spec);
    imports.push(target);
    n += 1;
    const m = `__import${n}`;
    return [`const ${m} = __require(${JSON.stringify(target)});`, ...(clause ? bindings(clause, m) : [])].join(' ');
  });
  for (const [, , spec] of body.matchAll(NEW_URL)) {
    // A URL relative to the module, as `new URL(spec, import.meta.url)` reads it.
    if (/^[a-z][\w+.-]*:|^\//i.test(spec)) fail(`${id}: only relative URLs can be inlined, not "${spec}"`);
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(id), spec));
    if (target.endsWith('.js')) workers.push(target);
    else urls.push(target);
  }
  const exported = [];
  body = body.replace(/^export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([\w$]+)/gm, (_, kind, name) => {
    exported.push([name, name]);
    return `${kind} ${name}`;
  });
  body = body.replace(/^export\s*\{([^}]*)\}\s*;?/gm, (_, list) => {
    for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [local, as] = item.split(/\s+as\s+/);
      exported.push([as ?? local, local]);
    }
    return '';
  });
  if (/^export\b/m.test(body)) fail(`${id}: an export this bundler does not know: ${body.match(/^export\b.*$/m)[0]}`);
  body = body.replace(/\bimport\.meta\.url\b/g, '__meta.url').replace(/\bimport\.meta\b/g, '__meta');
  const getters = exported.map(([as, local]) => `${JSON.stringify(as)}: { enumerable: true, get: () => ${local} }`);
  const text = `__define(${JSON.stringify(id)}, function (__exports, __require, __meta) {\n'use strict';\n`
    + `Object.defineProperties(__exports, { ${getters.join(', ')} });\n${body}\n});\n`;
  return { imports, workers, urls, text };
}

/** The modules reachable from `entry`, each once, dependencies first. */
async function graph(entry) {
  const done = new Map();
  const visiting = new Set();
  const order = [];
  const visit = async (id) => {
    if (done.has(id)) return;
    if (visiting.has(id)) fail(`${id}: a cycle of imports is not bundled`);
    visiting.add(id);
    const mod = convert(id, await read(id));
    for (const dep of mod.imports) await visit(dep);
    visiting.delete(id);
    done.set(id, mod);
    order.push(mod);
  };
  await visit(entry);
  return order;
}

/** The registry and the modules: `__require(entry)` runs the page (or the worker). */
const RUNTIME = `const __modules = new Map();
const __cache = new Map();
function __define(id, body) { __modules.set(id, body); }
function __require(id) {
  if (__cache.has(id)) return __cache.get(id);
  const body = __modules.get(id);
  if (!body) throw new Error('sigmafit (one file): no module ' + id);
  const exports = {};
  __cache.set(id, exports);
  body(exports, __require, { url: new URL(id, __base).href });
  return exports;
}
`;

function bundle(modules, entry) {
  return `${RUNTIME}${modules.map((m) => m.text).join('')}__require(${JSON.stringify(entry)});\n`;
}

/** Every file under `dir` (relative to the root), sorted. */
async function files(dir) {
  const out = [];
  for (const name of (await readdir(path.join(ROOT, dir))).sort()) {
    const rel = `${dir}/${name}`;
    if ((await stat(path.join(ROOT, rel))).isDirectory()) out.push(...(await files(rel)));
    else out.push(rel);
  }
  return out;
}

/** What the page needs around its bundle: the base URL, fetch answered from the file, workers from blobs. */
const PRELUDE = `// The whole page in one file: see tools/single.mjs.
const __data = JSON.parse(document.getElementById('sigmafit-data').textContent);
// The directory of this file: the modules' URLs, and the page's own paths, are below it.
const __base = new URL('.', document.baseURI).href;
const __bytes = new Map();
function __asset(key) {
  const asset = __data.assets[key];
  if (!asset) return null;
  if (!__bytes.has(key)) __bytes.set(key, Uint8Array.from(atob(asset.base64), (c) => c.charCodeAt(0)));
  return { type: asset.type, bytes: __bytes.get(key) };
}
function __key(input) {
  const href = new URL(String(input instanceof Request ? input.url : input), document.baseURI).href;
  return href.startsWith(__base) ? decodeURIComponent(href.slice(__base.length).split(/[?#]/)[0]) : null;
}
// fetch answers the page's own files from the bytes inlined here, and nothing else.
window.fetch = async function fetch(input) {
  const key = __key(input);
  const asset = key === null ? null : __asset(key);
  if (!asset) throw new TypeError('sigmafit (one file): ' + String(input) + ' is not inside this file, and nothing is fetched from elsewhere');
  return new Response(asset.bytes, { status: 200, headers: { 'content-type': asset.type } });
};
// The fitting workers: their bundle starts from a blob: URL, as a classic worker.
const __NativeWorker = window.Worker;
const __workerUrls = new Map();
window.Worker = class Worker extends __NativeWorker {
  constructor(url, options = {}) {
    const key = __key(url);
    const text = key === null ? undefined : __data.workers[key];
    if (text === undefined) throw new TypeError('sigmafit (one file): no worker ' + String(url));
    if (!__workerUrls.has(key)) {
      const source = 'const __base = ' + JSON.stringify(__base) + ';\\n' + text;
      __workerUrls.set(key, URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    }
    super(__workerUrls.get(key), { ...options, type: 'classic' });
  }
};
`;

async function main() {
  const html = await read('index.html');
  const css = await read('www/style.css');
  const modules = await graph(ENTRY);
  const workerIds = [...new Set(modules.flatMap((m) => m.workers))];
  const workers = {};
  for (const id of workerIds) workers[id] = bundle(await graph(id), id);
  const assetPaths = [...new Set(modules.flatMap((m) => m.urls)), ...(await files('www/examples'))];
  const assets = {};
  for (const rel of assetPaths) {
    const bytes = await readFile(path.join(ROOT, rel));
    assets[rel] = { type: TYPES[path.extname(rel)] ?? 'application/octet-stream', base64: bytes.toString('base64') };
  }
  if (!assets['pkg/sigmafit_bg.wasm']) fail('pkg/sigmafit_bg.wasm is not referenced by the page; run make build');

  const script = PRELUDE + bundle(modules, ENTRY);
  if (/<\/script/i.test(script) || /<\/style/i.test(css)) fail('a script or the stylesheet contains a closing tag');
  // JSON inside <script type="application/json">: `<` escaped, so no tag can close it.
  const data = JSON.stringify({ assets, workers }).replace(/</g, '\\u003c');
  const favicon = `data:image/svg+xml;base64,${(await readFile(path.join(ROOT, 'www/favicon.svg'))).toString('base64')}`;

  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(script)}' 'wasm-unsafe-eval'`,
    'worker-src blob:',
    `style-src 'sha256-${sha256(css)}'`,
    'img-src data: blob:',
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  let out = html;
  const replace = (pattern, replacement, what) => {
    if (!pattern.test(out)) fail(`index.html has no ${what}`);
    out = out.replace(pattern, replacement);
  };
  replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`, 'Content-Security-Policy');
  replace(/^\s*<link rel="(?:modulepreload|preload)"[^>]*>\n/gm, '', 'preload links');
  replace(/<link rel="icon" href="[^"]*" type="image\/svg\+xml">/, `<link rel="icon" href="${favicon}" type="image/svg+xml">`, 'icon');
  replace(/<link rel="stylesheet" href="www\/style\.css">/, () => `<style>${css}</style>`, 'stylesheet');
  replace(/<script type="module" src="www\/app\.js"><\/script>/, () => `<script type="module">${script}</script>`, 'page script');
  replace(/<\/body>/, () => `<script type="application/json" id="sigmafit-data">${data}</script>\n</body>`, '</body>');
  // Nothing may still be loaded from beside the file (links people click are fine).
  const markup = out.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
  const loads = markup.match(/<(?:script|img|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)="(?!data:)[^"]*"/);
  if (loads) fail(`the page still loads a file: ${loads[0]}`);
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, out);
  const size = Buffer.byteLength(out);
  console.log(`wrote dist/sigmafit.html: ${size} bytes (${(size / 1048576).toFixed(2)} MiB); ${modules.length} modules, ${workerIds.length} worker, ${Object.keys(assets).length} inlined files`);
}

main().catch((e) => fail(e?.stack ?? String(e)));
