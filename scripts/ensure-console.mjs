// Runs before `npm start`: builds the console (Vite) when its build is
// missing or older than its sources, so a fresh clone serves a working
// console. Plain JavaScript, like ensure-deps.mjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'console');
const built = path.join(consoleDir, 'dist', 'index.html');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs;
    latest = Math.max(latest, time);
  }
  return latest;
}

if (fs.existsSync(path.join(consoleDir, 'package.json'))) {
  const stale =
    !fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(consoleDir);
  if (stale) {
    console.error('Building the console (vite build)...');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['run', 'build', '-w', 'console'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
