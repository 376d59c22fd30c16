import type { Command } from 'commander';
import type { NodeStatus } from '../app/pool.js';
import { printItem, printJson, printList, printResult } from './output.js';
import { defineCommand, defineGroup } from './resource.js';

const row = (n: NodeStatus) => ({
  name: n.name,
  health: n.health,
  heartbeat: `${Math.round(n.heartbeatAgeMs / 1000)} s ago`,
  websocket: n.connections.websocket,
  irc: n.connections.irc,
  active: n.active ? 'yes' : 'no (draining)',
  pid: n.pid,
  started: new Date(n.startedAt).toISOString(),
});

export function registerPool(program: Command): void {
  const group = defineGroup(
    program,
    'pool',
    'Operate the pool of servers sharing this database: node status, draining a node, read-only maintenance.',
    ['pchat pool status --database postgres://pchat@db/pchat', 'pchat pool deactivate web-1:8080', 'pchat pool maintenance on --message "Upgrading until 14:00"'],
    'Every change reaches every node within a second.',
  );
  defineCommand(group, {
    name: 'status',
    description: 'List the nodes: health (up while heartbeats arrive, every 5 s), connections, and whether each is active; and the maintenance state.',
    examples: ['pchat pool status', 'pchat pool status --json'],
    run: async (cli) => {
      const status = await cli.app.pool.status(cli.actor);
      if (cli.json) return printJson(status);
      printList(false, status.nodes.map(row), ['name', 'health', 'heartbeat', 'websocket', 'irc', 'active', 'pid', 'started']);
      process.stdout.write(status.maintenance ? `read-only maintenance: ON since ${new Date(status.maintenance.since).toISOString()}: ${status.maintenance.message}\n` : 'read-only maintenance: off\n');
    },
  });
  for (const [verb, active] of [['deactivate', false], ['activate', true]] as const) {
    defineCommand(group, {
      name: `${verb} <node>`,
      description: active
        ? 'Let a drained node accept new connections again.'
        : 'Drain a node: it accepts no new WebSocket or IRC connections but keeps its existing ones until they leave.',
      examples: [`pchat pool ${verb} web-1:8080`],
      run: async (cli, [name]) => {
        const result = await cli.app.pool.setActive(cli.actor, { name, active });
        printResult(cli.json, result, `Node ${result.name} is now ${active ? 'active' : 'inactive (draining)'}.`);
      },
    });
  }
  const maintenance = group.command('maintenance').description('Pool-wide read-only maintenance: users can read, posting is refused with a clear message.');
  defineCommand(maintenance, {
    name: 'on',
    description: 'Refuse posting on every node (error read_only), with an optional message for users.',
    examples: ['pchat pool maintenance on', 'pchat pool maintenance on --message "Moving to the new pool; back at 14:00"'],
    options: (cmd) => cmd.option('--message <text>', 'what users are told when they try to post'),
    run: async (cli, _args, o) => {
      const state = await cli.app.pool.setMaintenance(cli.actor, { enabled: true, ...(typeof o.message === 'string' && { message: o.message }) });
      if (cli.json) return printJson({ maintenance: state });
      printItem(false, { maintenance: 'on', ...state, since: new Date(state?.since ?? 0).toISOString() });
    },
  });
  defineCommand(maintenance, {
    name: 'off',
    description: 'Allow posting again.',
    examples: ['pchat pool maintenance off'],
    run: async (cli) => {
      await cli.app.pool.setMaintenance(cli.actor, { enabled: false });
      printResult(cli.json, { maintenance: null }, 'Read-only maintenance is off; posting is allowed again.');
    },
  });
}
