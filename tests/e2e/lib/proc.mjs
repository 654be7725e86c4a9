// What /proc (Linux) shows of a running server: its resident memory and its open files.
//
//   const memory = watchMemory(server.child.pid);
//   ... load ...
//   const { baselineKiB, peakKiB, growthKiB } = memory.stop();

import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS and VmHWM (the peak resident size so far) of process `pid`, in KiB. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

/** How many file descriptors process `pid` holds open. */
export function openFds(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Samples the resident memory of `pid` every `everyMs` from now until stop(), which returns
 * { baselineKiB, peakKiB, endKiB, growthKiB }: the RSS now, the highest RSS in between, the RSS
 * at stop(), and peak - baseline. A peak between two samples is caught by VmHWM when it rose
 * past its earlier high.
 */
export function watchMemory(pid, everyMs = 20) {
  const start = memoryOf(pid);
  let peakKiB = start.rssKiB;
  const sample = () => {
    try {
      peakKiB = Math.max(peakKiB, memoryOf(pid).rssKiB);
    } catch {
      // the process is gone: stop() reports what was seen
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    baselineKiB: start.rssKiB,
    stop() {
      clearInterval(timer);
      const end = memoryOf(pid);
      peakKiB = Math.max(peakKiB, end.rssKiB);
      // VmHWM only rises: if it rose, it rose during the watch, to a peak reached then.
      if (end.hwmKiB > start.hwmKiB) peakKiB = Math.max(peakKiB, end.hwmKiB);
      return { baselineKiB: start.rssKiB, peakKiB, endKiB: end.rssKiB, growthKiB: peakKiB - start.rssKiB };
    },
  };
}
