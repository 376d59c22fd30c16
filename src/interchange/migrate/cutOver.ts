import type { Store } from '../../ports/store.js';
import { probeAddress } from './addressProbe.js';
import { fileSha256, recordConfig } from './configBackup.js';
import type { MigrateEnv } from './env.js';
import type { migrationFiles } from './state.js';
import { StepStopped } from './stopped.js';
import { type ListeningAddress, proveTargetServer } from './targetServer.js';
import type { MigrationPlan, MigrationState, SipListen, SipPlan } from './types.js';

/**
 * The cut-over step: the target's config file recorded as it is (what rollback restores), every
 * address it is to claim checked, then the IRC and SIP endpoints given the legacy addresses.
 */

/** What the cut-over needs of the step machine's context (steps.ts's StepContext has it). */
export interface CutOverContext {
  readonly plan: MigrationPlan;
  readonly state: MigrationState;
  readonly files: ReturnType<typeof migrationFiles>;
  readonly env: MigrateEnv;
  midway(): void;
  save(): Promise<void>;
}

async function withTargetStore<T>(ctx: CutOverContext, fn: (store: Store) => Promise<T>): Promise<T> {
  const target = await ctx.env.openDatabase(ctx.plan.to);
  try {
    return await fn(target.store);
  } finally {
    await target.close();
  }
}

const showAddress = (l: { host: string; port: number }) => (l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`);

/**
 * Whether the cut-over may claim `listen` for the `protocol` endpoint: binds it and closes it
 * again. Free: go on. Held by the target server itself (proved: its /healthz, on the target
 * database, lists exactly this address): go on, saying so. Anything else holds it, or this host
 * cannot listen there: stop before anything is written, naming what holds it.
 */
async function checkAddress(ctx: CutOverContext, protocol: 'irc' | 'sip', listen: { host: string; port: number }): Promise<{ heldByTarget: boolean }> {
  const taken = await probeAddress(listen.host, listen.port);
  if (!taken) return { heldByTarget: false };
  const name = protocol === 'irc' ? 'IRC' : 'SIP';
  const legacy = protocol === 'irc' ? 'the legacy chat server' : "the legacy pool's service";
  let target: ListeningAddress[] = [];
  let unproved = '';
  if (taken.code === 'EADDRINUSE' && ctx.plan.webUrl) {
    try {
      const server = await withTargetStore(ctx, (store) => proveTargetServer(ctx.plan.webUrl!, store, ctx.plan.to));
      target = [...server.listening[protocol]];
      if (target.some((l) => l.host === listen.host && l.port === listen.port)) return { heldByTarget: true };
    } catch (error) {
      if (!(error instanceof StepStopped)) throw error;
      unproved = ` (whether the target server holds it cannot be told: ${error.message})`;
    }
  }
  const samePort = target.filter((l) => l.port === listen.port);
  const why = samePort.length > 0 ? ` (the target server at ${ctx.plan.webUrl} itself listens on ${samePort.map(showAddress).join(', ')}, the same port)` : unproved;
  const hint =
    taken.code === 'EADDRINUSE' && !ctx.plan.webUrl ? ' If that is the target server after an earlier cut-over, nothing proves it (the plan has no --web-url): stop it, then run again.' : '';
  throw new StepStopped(`cannot give the ${name} endpoint ${showAddress(listen)}: ${taken.reason}${why}. Take ${legacy} off that address (or free it), then run again.${hint}`);
}

/** Records the target's SIP settings as they are (once, on the first attempt), for the report. */
async function recordSipBefore(ctx: CutOverContext, listen: SipListen): Promise<void> {
  if (ctx.state.sipBefore) return;
  const settings = await ctx.env.sipSettings(ctx.plan.toConfig);
  const present = settings.listen.some((l) => l.host === listen.host && l.port === listen.port);
  ctx.state.sipBefore = { removeAddress: !present, domains: settings.domains, serverName: settings.serverName };
  await ctx.save();
}

async function claimSip(ctx: CutOverContext, sip: SipPlan, listen: SipListen): Promise<string> {
  const added = await ctx.env.claimSipAddress(ctx.plan.toConfig, { ...listen, domains: sip.domains, serverName: sip.serverName });
  return `SIP endpoint ${showAddress(listen)} (${listen.tls ? 'TLS' : 'TCP'}${sip.serverName ? `, ${sip.serverName}` : ''}; domains ${sip.domains.join(', ')}) ${added ? 'added to' : 'already in'} ${ctx.plan.toConfig}`;
}

export async function cutOver(ctx: CutOverContext): Promise<{ outcome: string; warnings?: string[] }> {
  const irc = ctx.plan.irc;
  const sip = ctx.plan.sip;
  const sipListen = sip?.listen ?? null;
  const file = ctx.plan.toConfig;
  if (!irc && !sipListen) {
    const warnings = ['legacy clients keep the old address: plan with --irc-listen to take it over'];
    if (sip) warnings.push('Lync/OCS clients keep the legacy pool: plan with --sip-listen to take its address over');
    return { outcome: 'no legacy address in the plan: nothing to cut over', warnings };
  }
  // Before anything is written: the file as it is (once, on the first attempt: what rollback
  // restores byte for byte), then every address checked, so a refusal leaves the file as it was.
  if (!ctx.state.configBefore) {
    ctx.state.configBefore = await recordConfig(file, ctx.files.configBefore);
    await ctx.save();
  }
  if (sipListen) await recordSipBefore(ctx, sipListen);
  const ircHeld = irc ? await checkAddress(ctx, 'irc', irc) : null;
  const sipHeld = sipListen ? await checkAddress(ctx, 'sip', sipListen) : null;
  const done: string[] = [];
  const warnings: string[] = [];
  if (irc) {
    const added = await ctx.env.addIrcEndpoint(file, irc.host, irc.port, irc.serverName);
    done.push(`IRC endpoint ${irc.host}:${irc.port}${irc.serverName ? ` (${irc.serverName})` : ''} ${added ? 'added to' : 'already in'} ${file}${ircHeld?.heldByTarget ? ', and the target server already listens there (its /healthz says so)' : ''}`);
  }
  if (sip && sipListen) done.push(`${await claimSip(ctx, sip, sipListen)}${sipHeld?.heldByTarget ? ', and the target server already listens there (its /healthz says so)' : ''}`);
  else if (sip) warnings.push('Lync/OCS clients keep the legacy pool: plan with --sip-listen to take its address over');
  ctx.state.configBefore.cutOverSha256 = await fileSha256(file);
  ctx.midway();
  const allHeld = (!ircHeld || ircHeld.heldByTarget) && (!sipHeld || sipHeld.heldByTarget);
  return { outcome: `${done.join('; ')}${allHeld ? '' : ': restart the target server to listen there'}`, ...(warnings.length > 0 && { warnings }) };
}
