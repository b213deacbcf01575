#!/usr/bin/env node
// Turns Trunk's dist/ into ONE self-contained HTML file that runs when opened straight from disk
// (file://, no server): `node scripts/single-file.mjs DIST OUT.html` (called by scripts/build.sh).
//
// A browser will not fetch a .wasm, a module script or a worker script from file://, and Trunk has
// no single-file mode, so this inlines everything (hand-written: a few string operations on a page
// we write ourselves; every step checks what it expects and fails the build otherwise):
//   - style.css becomes a <style> element; favicon.svg a data: URL;
//   - app.js (wasm-bindgen, ES module) becomes the one inline module script, followed by a short
//     bootstrap that instantiates app_bg.wasm from bytes decoded from an inline base64 data block;
//   - the worker (worker.js, a no-modules wasm-bindgen script, and worker_bg.wasm, both as base64
//     data blocks) is assembled by the bootstrap into a blob: URL, which the app's bridge
//     (www/src/bridge.rs) finds as window.sessionhuntSingleFile.workerUrl and starts.
// The Content-Security-Policy stays as strict as the served page's, stricter where it can:
// scripts and styles are allowed by their SHA-256 hashes (no 'unsafe-inline'), workers only from
// blob:, and connect-src 'none' (the file needs no connection at all, not even to itself).
// The output depends only on the bytes of dist/, so it is as reproducible as dist/ is.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const [dist, out] = process.argv.slice(2);
if (!dist || !out) {
  console.error('usage: node scripts/single-file.mjs DIST OUT.html');
  process.exit(2);
}

function fail(message) {
  console.error(`single-file: ${message}`);
  process.exit(1);
}
const read = (name) => readFileSync(join(dist, name));
const text = (name) => read(name).toString('utf8');
const sha256 = (s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

// Script text inside <script> must not close the element early. In JavaScript, "</script" and
// "<!--" can only occur inside strings, templates, regular expressions or comments, where "<\/"
// and "<\!" mean the same characters, so this rewrite keeps the program's meaning.
function scriptSafe(js) {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

// The page as Trunk wrote it: our index.html with Trunk's asset links.
let html = text('index.html');

// The app's wasm-bindgen glue: keep it whole, and call its default export (its init function).
const appJs = text('app.js');
const defaultExport = appJs.match(/^export default (\w+);\s*$/m) ?? appJs.match(/^export \{[^}]*\b(\w+) as default\b[^}]*\};?\s*$/m);
if (!defaultExport) fail('app.js has no `export default NAME;`: has the wasm-bindgen output changed?');
const init = defaultExport[1];

const bootstrap = `
// --- sessionhunt single-file bootstrap (scripts/single-file.mjs) ---
{
  const block = (id) => document.getElementById(id).textContent;
  const bytes = (b64) => {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };
  // The worker: its wasm-bindgen script, then a line that instantiates its wasm from base64 text
  // (a worker made from a blob: URL cannot read this page, so the bytes travel inside the blob).
  const workerScript = new Blob([
    bytes(block('sessionhunt-worker-js')),
    '\\n;(() => { const b64 = "', block('sessionhunt-worker-wasm'), '";\\n',
    'const bin = atob(b64); const wasm = new Uint8Array(bin.length);\\n',
    'for (let i = 0; i < bin.length; i++) wasm[i] = bin.charCodeAt(i);\\n',
    'wasm_bindgen({ module_or_path: wasm }); })();\\n',
  ], { type: 'text/javascript' });
  window.sessionhuntSingleFile = { workerUrl: URL.createObjectURL(workerScript) };
  ${init}({ module_or_path: bytes(block('sessionhunt-app-wasm')) }).catch((err) => {
    const msg = document.createElement('p');
    msg.className = 'boot-error';
    msg.textContent = 'sessionhunt could not start: ' + err;
    document.body.append(msg);
  });
}
`;
const moduleScript = scriptSafe(appJs) + bootstrap;
const css = text('style.css');
if (/<\/style/i.test(css)) fail('style.css contains "</style"');
if (/url\(\s*(?!['"]?data:)/i.test(css) || /@import/i.test(css)) fail('style.css refers to another file (url() or @import): make it a data: URL');

// Every asset link and script Trunk or index.html put in the page goes; the inlined ones replace them.
const removed = [];
html = html.replace(/<link\b[^>]*>\s*/gi, (tag) => { removed.push(tag); return ''; });
html = html.replace(/<script\b[^>]*\bsrc=[^>]*><\/script>\s*/gi, (tag) => { removed.push(tag); return ''; });
if (!removed.some((t) => /style\.css/.test(t))) fail('index.html links no style.css');
if (!removed.some((t) => /boot\.js/.test(t))) fail('index.html loads no boot.js');

const csp = [
  "default-src 'none'",
  `script-src ${sha256(moduleScript)} 'wasm-unsafe-eval'`,
  'worker-src blob:',
  "connect-src 'none'",
  `style-src ${sha256(css)}`,
  'img-src data: blob:',
  "font-src 'none'",
  "manifest-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const cspMeta = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/;
if (!cspMeta.test(html)) fail('index.html has no Content-Security-Policy meta element');
html = html.replace(cspMeta, `<meta http-equiv="Content-Security-Policy" content="${csp}">`);

const favicon = `data:image/svg+xml;base64,${read('favicon.svg').toString('base64')}`;
const dataBlock = (id, buf) => `<script type="application/octet-stream" id="${id}">${buf.toString('base64')}</script>\n`;
const head =
  `<link rel="icon" href="${favicon}">\n` +
  `<style>${css}</style>\n` +
  dataBlock('sessionhunt-app-wasm', read('app_bg.wasm')) +
  dataBlock('sessionhunt-worker-js', read('worker.js')) +
  dataBlock('sessionhunt-worker-wasm', read('worker_bg.wasm')) +
  `<script type="module">${moduleScript}</script>\n`;
if (!html.includes('</head>')) fail('index.html has no </head>');
html = html.replace('</head>', () => `${head}</head>`);

// Nothing may point outside the file: every src/href left is a data: URL (or an in-page #anchor).
// (Checked on the markup: the contents of <script> and <style> elements are code, not links.)
const markup = html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?(<\/\2>)/gi, '$1$3');
for (const m of markup.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)) {
  if (!m[1].startsWith('data:') && !m[1].startsWith('#')) fail(`the page still refers to ${m[1]}`);
}
writeFileSync(out, html);
