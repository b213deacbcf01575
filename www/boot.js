// Starts the sessionhunt app. A file of its own (not an inline script) so the page's
// Content-Security-Policy can forbid inline scripts. URLs are relative to this file, so the same
// build works at the site root, under a sub-path and from a copy on disk served locally.
import init from './app.js';

init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) }).catch((err) => {
  const msg = document.createElement('p');
  msg.className = 'boot-error';
  msg.textContent = 'sessionhunt could not start: ' + err;
  document.body.append(msg);
});
