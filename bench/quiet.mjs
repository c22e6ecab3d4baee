// Keeps benchmark repeats honest on a shared machine: wait until it is quiet (no compiler running, the
// other processes together under a quarter of a core) before a repeat, and tell whether anything else
// ran while it did, so a disturbed repeat is done again. Linux /proc only; elsewhere every check passes.
import fs from 'node:fs';

const HZ = 100; // USER_HZ: clock ticks per second in /proc/<pid>/stat on Linux.
const COMPILERS = /^(rustc|cargo|cc1|cc1plus|ld|ld\.lld|rust-lld|lld|clang|gcc|wasm-opt|wasm-bindgen|trunk|wasm-pack)$/;
// The benchmark's own processes: Node (this script, its server) and the browser it drives.
const OURS = /^(node|chromium|chrome|chrome_crashpad|headless_shell|cat)$/i;
export const QUIET_CORES = 0.25;

/** Every process's command name and CPU ticks so far (user + system). */
function processes() {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const out = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid, comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

/** A mark to compare with later: the others' ticks by pid, and whether a compiler runs. */
export function mark() {
  const now = processes();
  return {
    at: Date.now(),
    others: new Map(now.filter((p) => !OURS.test(p.comm)).map((p) => [p.pid, p.ticks])),
    compilers: now.filter((p) => COMPILERS.test(p.comm)).map((p) => p.comm),
  };
}

/** Cores the other processes used since `before` (processes that started since count from zero). */
export function othersCores(before) {
  const after = mark();
  let ticks = 0;
  for (const [pid, t] of after.others) ticks += t - (before.others.get(pid) ?? 0);
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  return { cores: ticks / HZ / seconds, compilers: [...new Set([...before.compilers, ...after.compilers])] };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to `maxMs`) until no compiler runs and the others use under QUIET_CORES over 2 s. */
export async function waitUntilQuiet(maxMs = 15 * 60_000) {
  const start = Date.now();
  for (;;) {
    const before = mark();
    await sleep(2000);
    const { cores, compilers } = othersCores(before);
    if (compilers.length === 0 && cores < QUIET_CORES) return { waitedMs: Date.now() - start };
    if (Date.now() - start > maxMs) return { waitedMs: Date.now() - start, gaveUp: `${compilers.join(', ') || 'other processes'} at ${cores.toFixed(2)} cores` };
    if (Date.now() - start < 2500) console.error(`waiting for a quiet machine (${compilers.join(', ') || `others at ${cores.toFixed(2)} cores`})…`);
  }
}
