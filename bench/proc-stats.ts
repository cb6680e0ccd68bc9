// CPU time, memory and bytes written of another process, from Linux's /proc (the control plane runs as a child
// process so that what it costs is measured apart from the simulated clients).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  /** User + system CPU seconds used so far. */
  readonly cpuSeconds: number;
  /** Resident set now and its peak (VmHWM), in MB. */
  readonly rssMB: number;
  readonly peakRssMB: number;
  /** Bytes handed to write/send system calls so far (sockets included); undefined when /proc/<pid>/io is unreadable. */
  readonly writtenBytes: number | undefined;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m === null ? 0 : Number(m[1]);
  };
  let writtenBytes: number | undefined;
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const m = /^wchar:\s+(\d+)/m.exec(io);
    writtenBytes = m === null ? undefined : Number(m[1]);
  } catch {
    writtenBytes = undefined;
  }
  return {
    cpuSeconds: (utime + stime) / clockTicks(),
    rssMB: kb('VmRSS') / 1024,
    peakRssMB: kb('VmHWM') / 1024,
    writtenBytes,
  };
}
