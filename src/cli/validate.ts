// `smi-mesh validate -f PATH...`: load, translate, report every object's conditions.
// Exit 0: everything accepted; 1: anything rejected or any file unreadable; 2: usage errors (commander).

import { stringify } from 'yaml';
import type { FileError, FileLoadResult } from '../files/load.js';
import type { ObjectStatus } from '../translate/model.js';
import { translate } from '../translate/translate.js';
import type { MeshFlags } from './options.js';
import { translateOptions } from './options.js';
import { renderTable } from './table.js';

export type OutputFormat = 'table' | 'json' | 'yaml';

export interface ValidateReport {
  readonly objects: readonly ObjectStatus[];
  readonly fileErrors: readonly FileError[];
  readonly summary: {
    readonly objects: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly fileErrors: number;
  };
}

export function buildReport(loaded: FileLoadResult, flags: MeshFlags): ValidateReport {
  const model = translate(loaded.store, translateOptions(flags));
  const objects = model.statuses;
  const rejected = objects.filter((o) =>
    o.conditions.some((c) => c.type === 'Accepted' && c.status === 'False'),
  ).length;
  return {
    objects,
    fileErrors: loaded.fileErrors,
    summary: {
      objects: objects.length,
      accepted: objects.length - rejected,
      rejected,
      fileErrors: loaded.fileErrors.length,
    },
  };
}

function location(o: { file?: string; line?: number }): string {
  return o.file === undefined ? '' : o.line === undefined ? o.file : `${o.file}:${o.line}`;
}

export function formatFileError(e: FileError): string {
  const at =
    e.line === undefined
      ? e.file
      : e.column === undefined
        ? `${e.file}:${e.line}`
        : `${e.file}:${e.line}:${e.column}`;
  return `${at}: ${e.message}`;
}

export function renderReport(report: ValidateReport, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  // Statuses share their condition objects (and lists): written out in full, not as YAML anchors and aliases.
  if (format === 'yaml') return stringify(report, { lineWidth: 0, aliasDuplicateObjects: false });
  const rows = report.objects.map((o) => {
    const accepted = o.conditions.find((c) => c.type === 'Accepted');
    const resolved = o.conditions.find((c) => c.type === 'ResolvedRefs');
    const problem = o.conditions.find((c) => c.status === 'False');
    return [
      o.kind,
      o.namespace === '' ? '-' : o.namespace,
      o.name,
      o.apiVersion,
      accepted?.status ?? '',
      resolved?.status ?? '',
      problem === undefined ? '' : `${problem.reason}: ${problem.message}`,
    ];
  });
  const out: string[] = [
    renderTable(['KIND', 'NAMESPACE', 'NAME', 'APIVERSION', 'ACCEPTED', 'RESOLVED', 'PROBLEM'], rows),
  ];
  const located = report.objects.filter(
    (o) => o.conditions.some((c) => c.status === 'False') && o.file !== undefined,
  );
  if (located.length > 0) {
    out.push('', 'Where:');
    for (const o of located)
      out.push(`  ${o.kind} ${o.namespace === '' ? '' : `${o.namespace}/`}${o.name}: ${location(o)}`);
  }
  if (report.fileErrors.length > 0) {
    out.push('', 'File errors:');
    for (const e of report.fileErrors) out.push(`  ${formatFileError(e)}`);
  }
  const s = report.summary;
  out.push(
    '',
    `${s.objects} object${s.objects === 1 ? '' : 's'}: ${s.accepted} accepted, ${s.rejected} rejected${s.fileErrors > 0 ? `; ${s.fileErrors} file error${s.fileErrors === 1 ? '' : 's'}` : ''}`,
  );
  return out.join('\n') + '\n';
}

export function exitCodeOf(report: ValidateReport): number {
  return report.summary.rejected > 0 || report.summary.fileErrors > 0 ? 1 : 0;
}
