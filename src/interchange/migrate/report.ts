import type { NoteRecord } from '../archive/records.js';
import { FILES_NOT_CARRIED } from '../jobs.js';
import { writeReport } from '../report.js';
import { calibrationBasis } from './calibrate.js';
import { countsInWords, plural, typeName } from '../reportWords.js';
import type { MigrationPlan, MigrationState, SipPlan, StepRecord } from './types.js';

/** An ISO time as "2026-12-06 13:52:48 UTC": it wraps between date and time in a narrow column. */
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '');
const duration = (s: StepRecord) => (s.startedAt && s.finishedAt ? `${((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(1)} s` : '');
const sipAddress = (sip: SipPlan) => (sip.listen ? `${sip.listen.host.includes(':') ? `[${sip.listen.host}]` : sip.listen.host}:${sip.listen.port}` : '-');

/** The SIP endpoint Lync/OCS clients reach after the cut-over (a Group Chat source only). */
function sipSection(plan: MigrationPlan, state: MigrationState) {
  const sip = plan.sip as SipPlan;
  const cutOver = state.steps.find((s) => s.name === 'cut-over');
  const before = state.sipBefore;
  return {
    title: 'SIP endpoint for Lync/OCS clients (cut-over)',
    intro: sip.listen
      ? 'The cut-over checks that the address is free (binding it) or already held by the target server itself, then writes sip.listen, sip.domains and sip.serverName into the target configuration; rollback puts the configuration file back byte for byte.'
      : 'No legacy pool address was planned (--sip-listen): Lync/OCS clients are not moved by this migration.',
    columns: ['address', 'transport', 'server name', 'SIP domains', 'cut-over', 'outcome', 'before the cut-over (restored by rollback)'],
    rows: [
      [
        sipAddress(sip),
        sip.listen ? (sip.listen.tls ? 'TLS' : 'TCP') : '-',
        sip.serverName ?? '-',
        sip.domains.join(', '),
        `${cutOver?.status ?? 'pending'}${state.status === 'rolled-back' ? ' (rolled back)' : ''}`,
        cutOver?.outcome ?? '',
        before ? `domains ${before.domains?.join(', ') ?? '(not set)'}; server name ${before.serverName ?? '(not set)'}; address ${before.removeAddress ? 'added by the cut-over' : 'already there'}` : '-',
      ],
    ],
  };
}

const noteRows = (notes: readonly NoteRecord[]) => notes.map((n) => [n.code, n.item ? `${typeName(n.item.type)} ${n.item.name ?? n.item.id}` : '', n.message]);

/** The one HTML record of a migration, rewritten after every step change: plan, steps, counts, warnings, verify. */
export async function writeMigrationReport(file: string, plan: MigrationPlan, state: MigrationState): Promise<void> {
  const current = state.steps.find((s) => s.status !== 'done');
  const e = plan.estimates;
  await writeReport(file, {
    title: `pchat migration: ${state.status}${current && state.status === 'in-progress' ? ` (at ${current.name}: ${current.status})` : ''}`,
    summary: [
      ['from', `${plan.from} (${plan.inventory.system} ${plan.inventory.version}, ${plan.sourceKind})`],
      ['to', `${plan.to} (configuration ${plan.toConfig})`],
      ['web client', plan.webUrl ?? '-'],
      ['legacy IRC address', plan.irc ? `${plan.irc.host}:${plan.irc.port} ${plan.irc.serverName ?? ''}` : '-'],
      ...(plan.sip ? ([['legacy Lync/OCS pool (SIP)', `${sipAddress(plan.sip)} ${plan.sip.serverName ?? ''}; SIP domains ${plan.sip.domains.join(', ')}`]] as const) : []),
      ['mode', plan.incremental ? 'incremental (bulk while live, then the delta in the window)' : 'full (everything in the window)'],
      ['inventory', countsInWords(plan.inventory.counts)],
      ['content', `${plan.inventory.oldest ?? '-'} … ${plan.inventory.newest ?? '-'}`],
      ['files', `${plural(plan.inventory.files ?? 0, 'file')} carried with their messages (${plural(plan.inventory.fileBytes ?? 0, 'byte')}, each content once); ${plan.files.length} not carried (listed below)`],
      ['estimated window', `${e.full.totalSeconds} s full${e.delta ? `, ${e.delta.totalSeconds} s delta` : ''}; book ${(e.delta ?? e.full).recommendedMinutes} min`],
      ['estimate basis', calibrationBasis(plan.calibration).join(' ')],
      ['archive', state.archive ? `${state.archive.path} (${plural(state.archive.bytes, 'byte')}, SHA-256 ${state.archive.sha256})` : '-'],
      ['verify', state.verify ? `${state.verify.ok ? 'no unexplained difference' : `${plural(state.verify.conflicts, 'unexplained difference')} (${state.verify.conflictsFile})`}; compared ${countsInWords(state.verify.compared)}` : 'not run yet'],
      ['updated', when(state.updatedAt)],
    ],
    sections: [
      {
        title: 'Steps',
        columns: ['step', 'status', 'started', 'finished', 'took', 'attempts', 'counts', 'warnings', 'outcome'],
        rows: state.steps.map((s) => [s.name, s.status, when(s.startedAt), when(s.finishedAt), duration(s), s.attempts, s.counts, s.warnings.join('; '), s.outcome]),
      },
      ...(plan.sip ? [sipSection(plan, state)] : []),
      {
        title: 'Estimates (measured on this host)',
        columns: ['window', 'messages', 'export s', 'check s', 'import s', 'verify s', 'total s', 'book min'],
        rows: [e.full, ...(e.delta ? [e.delta] : [])].map((w, i) => [i === 0 ? 'full' : 'delta', w.messages, w.seconds.export, w.seconds.whatIf, w.seconds.import, w.seconds.verify, w.totalSeconds, w.recommendedMinutes]),
      },
      { title: 'Errors that stop the import (plan)', columns: ['code', 'item', 'message'], rows: noteRows(plan.errors) },
      {
        title: 'Item-level problems and their resolutions (plan)',
        intro: plan.strict ? '--strict: each of these stops the import.' : 'Each gets the resolution shown; everything else migrates. --renames chooses names; --strict refuses instead.',
        columns: ['type', 'source id', 'name', 'problem', 'resolution', 'details'],
        rows: (plan.resolutions ?? []).map((r) => [r.type, r.id, r.name, r.code, r.refused ? `refused (--strict; else ${r.resolution})` : r.resolution, r.message]),
      },
      { title: 'Warnings (plan)', columns: ['code', 'item', 'message'], rows: noteRows(plan.warnings) },
      { title: 'Conversions (plan)', columns: ['code', 'item', 'message'], rows: noteRows(plan.conversions) },
      { title: 'Name collisions with the target (plan)', columns: ['type', 'name', 'pchat id'], rows: plan.collisions.map((c) => [typeName(c.type), c.name, c.targetId]) },
      { title: 'Users the target policy would hide (plan)', columns: ['login', 'reason'], rows: plan.hiddenUsers.map((u) => [u.login, u.reason]) },
      { title: 'Files not carried (plan)', intro: FILES_NOT_CARRIED, columns: ['code', 'item', 'message'], rows: noteRows(plan.files) },
      { title: 'Accounts without a credential (plan)', columns: ['login'], rows: plan.needCredentials.map((l) => [l]) },
    ],
  });
}
