import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './load.js';
import type { Config } from './schema.js';

/** Bytes of a credential key: AES-256. */
export const KEY_BYTES = 32;

/** Where the SIP credential key lives: `sip.credentialKeyFile`, else `<dataDir>/sip-credentials.key`. */
export function sipCredentialKeyFile(config: Config): string {
  return config.sip.credentialKeyFile ?? join(config.dataDir, 'sip-credentials.key');
}

/**
 * The key that encrypts the NT hashes at rest, when this deployment uses SIP: when the SIP
 * endpoint listens, or the key file exists already (so the CLI of a SIP deployment, which does
 * not listen, keeps NT hashes in step with the passwords it sets). Otherwise null, and pchat
 * keeps no NT hashes at all.
 */
export function sipCredentialKey(config: Config): Buffer | null {
  const file = sipCredentialKeyFile(config);
  return config.sip.listen.length > 0 || existsSync(file) ? loadOrCreateKey(file) : null;
}

/**
 * Reads a 32-byte key file, or creates one (mode 0600, 32 random bytes) when it is missing.
 * Creation is atomic: the key is written to a temporary file and linked into place, so two
 * processes starting at once agree on one key and a crash never leaves a short file. Errors
 * are ConfigErrors naming the file; the key itself never appears in a message.
 */
export function loadOrCreateKey(file: string): Buffer {
  const fail = (problem: string): never => {
    throw new ConfigError([`sip.credentialKeyFile (${file}): ${problem}`]);
  };
  if (!existsSync(file)) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fd = openSync(temporary, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(temporary, file);
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temporary);
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      fail(`the key file is missing and cannot be created: ${(error as Error).message}`);
    }
  }
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (error) {
    return fail(`the key file cannot be read: ${(error as Error).message}`);
  }
  if (key.length !== KEY_BYTES) {
    fail(`the key file holds ${key.length} bytes; it must hold exactly ${KEY_BYTES} random bytes (for example: head -c ${KEY_BYTES} /dev/urandom > file). Every pool node needs the same file.`);
  }
  return key;
}
