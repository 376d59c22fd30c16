import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram, COMMAND_GROUPS, commandNamed } from '../src/cli/program.js';

const topLevel = (names: { commands: readonly { name(): string }[] }) => names.commands.map((c) => c.name());

describe('the pchat program loads only the command group it runs', () => {
  it('finds the command after the global options and their values', () => {
    assert.equal(commandNamed(['user', 'list']), 'user');
    assert.equal(commandNamed(['--config', 'serve', 'serve']), 'serve');
    assert.equal(commandNamed(['-c', 'pchat.json', '--json', 'room', 'get', 'x']), 'room');
    assert.equal(commandNamed(['--data-dir', 'data', '--database', 'db', 'migrate', 'plan']), 'migrate');
    assert.equal(commandNamed(['--config=pchat.json', 'audit']), 'audit');
    assert.equal(commandNamed(['--help']), undefined);
    assert.equal(commandNamed(['--', 'user']), undefined);
    assert.equal(commandNamed([]), undefined);
  });

  it('lists every group in its table, in order, when no known command is named', async () => {
    const everything = topLevel(await buildProgram());
    assert.deepEqual(everything, COMMAND_GROUPS.flatMap((g) => g.commands));
    assert.deepEqual(topLevel(await buildProgram('usr')), everything, 'a mistyped command gets suggestions from every name');
  });

  it("registers, for a named command, exactly that command's group", async () => {
    for (const group of COMMAND_GROUPS) {
      for (const command of group.commands) assert.deepEqual(topLevel(await buildProgram(command)), group.commands, command);
    }
  });
});
