import { PchatError } from '../../../core/errors.js';
import { dumpError, listDump, openTable, type DumpFile, type OpenTable } from './dumpFiles.js';
import {
  FALLBACK_ENUMS,
  FALLBACK_PRINCIPAL_TYPES,
  FALLBACK_ROLES,
  missingLookupNote,
  principalKindByDescription,
  roleByDescription,
  type Lookups,
  type PrincipalKind,
  type RoleKind,
} from './lookups.js';
import type { Notes } from './notes.js';
import { REQUIRED_TABLES, TABLES, type TableName } from './tables.js';
import { RowReader } from './values.js';

/**
 * Loads every table except tblChat into memory: they hold the directory (nodes, principals,
 * grants), tens of thousands of rows at most. Each row keeps its line for the notes.
 */

export interface NodeRow {
  readonly id: number;
  /** nodeGuid, lower-case and bare; null when the column is absent or empty. */
  readonly guid: string | null;
  readonly parent: number;
  readonly isCategory: boolean;
  readonly name: string;
  readonly description: string;
  readonly invite: boolean | null;
  readonly logged: boolean | null;
  readonly filePost: boolean | null;
  readonly disabled: boolean;
  readonly behavior: number | null;
  readonly visibility: number | null;
  readonly siopId: string | null;
  readonly addedOn: number | null;
  readonly topic: string | null;
  readonly line: number;
}

export interface PrincipalRow {
  readonly id: number;
  readonly uri: string;
  readonly name: string | null;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly adPath: string | null;
  readonly disabled: number;
  readonly type: number;
  readonly line: number;
}

export interface Grant {
  readonly node: number;
  readonly principal: number;
  readonly line: number;
}

export interface Dump {
  readonly dir: string;
  readonly files: ReadonlyMap<string, DumpFile>;
  readonly chat: OpenTable;
  readonly nodes: ReadonlyMap<number, NodeRow>;
  readonly principals: ReadonlyMap<number, PrincipalRow>;
  /** principalID → the affiliation ids the dump lists for it (self rows removed). */
  readonly affiliations: ReadonlyMap<number, ReadonlySet<number>>;
  readonly scopes: readonly (Grant & { readonly denied: boolean })[];
  readonly roles: readonly (Grant & { readonly type: number })[];
  /** siopID → add-in; null when tblSiopWhiteList is not in the dump. */
  readonly addins: ReadonlyMap<string, { readonly name: string; readonly url: string; readonly line: number }> | null;
  readonly lookups: Lookups;
}

async function eachRow(table: OpenTable, visit: (row: RowReader) => void): Promise<void> {
  for await (const batch of table.batches()) for (const row of batch) visit(new RowReader(table, row));
}

/** Reads a keyed table, rejecting a second row with the same key: the dump would be ambiguous. */
async function keyed<K, V>(table: OpenTable, key: (r: RowReader) => K, value: (r: RowReader) => V): Promise<Map<K, V>> {
  const rows = new Map<K, V>();
  const lines = new Map<K, number>();
  await eachRow(table, (r) => {
    const k = key(r);
    const first = lines.get(k);
    if (first !== undefined) throw dumpError(table.file.name, r.row.line, `duplicate id ${String(k)} (first on line ${first}).`);
    lines.set(k, r.row.line);
    rows.set(k, value(r));
  });
  return rows;
}

export async function loadDump(dir: string, notes: Notes): Promise<Dump> {
  const files = await listDump(dir);
  const missing = REQUIRED_TABLES.filter((t) => !files.has(t.toLowerCase()));
  if (missing.length > 0) {
    throw new PchatError(
      'invalid_dump',
      `${dir}: not a Group Chat dump: no ${missing.map((t) => `${t}.csv or .tsv`).join(', ')} (docs/groupchat-dump.md lists the files).`,
    );
  }
  const tables = new Map<TableName, OpenTable>();
  for (const name of Object.keys(TABLES) as TableName[]) {
    const file = files.get(name.toLowerCase());
    if (!file) continue;
    const table = await openTable(file, TABLES[name]);
    tables.set(name, table);
    if (table.unknownColumns.length > 0) {
      notes.warning('unknown_column', { type: 'file', id: file.name }, `${file.name}: ignored column(s) not documented for ${name}: ${table.unknownColumns.join(', ')}.`);
    }
  }
  const table = (name: TableName) => tables.get(name)!;

  const lookups = await loadLookups(tables, notes);

  const nodes = await keyed(table('tblNode'), (r) => r.requiredInt('nodeID'), (r): NodeRow => {
    const nodeType = r.bit('nodeType');
    if (nodeType === null) throw dumpError(r.table.file.name, r.row.line, 'column nodeType is empty.');
    return {
      id: r.requiredInt('nodeID'),
      guid: r.guid('nodeGuid'),
      parent: r.requiredInt('parentID'),
      isCategory: nodeType,
      name: r.text('nodeName') ?? '',
      description: r.text('nodeDesc') ?? '',
      invite: r.bit('invite'),
      logged: r.bit('logged'),
      filePost: r.bit('filePost'),
      disabled: r.bit('disabled') ?? false,
      behavior: r.int('behavior'),
      visibility: r.int('visibility'),
      siopId: r.guid('siopID'),
      addedOn: r.ticks('nodeAddedOn'),
      topic: r.text('topic'),
      line: r.row.line,
    };
  });

  const principals = await keyed(table('tblPrincipal'), (r) => r.requiredInt('prinID'), (r): PrincipalRow => ({
    id: r.requiredInt('prinID'),
    uri: r.text('prinUri') ?? '',
    name: r.text('prinName'),
    displayName: r.text('prinDisplayName'),
    email: r.text('prinEmail'),
    adPath: r.text('prinADPath'),
    disabled: r.int('prinDisabled') ?? 0,
    type: r.requiredInt('prinTypeID'),
    line: r.row.line,
  }));

  const affiliations = new Map<number, Set<number>>();
  await eachRow(table('tblPrincipalAffiliations'), (r) => {
    const principal = r.requiredInt('principalID');
    const group = r.requiredInt('affiliationID');
    // Every principal is affiliated with itself (index -1): that is no membership.
    if (principal === group || r.int('index') === -1) return;
    let set = affiliations.get(principal);
    if (!set) affiliations.set(principal, (set = new Set()));
    set.add(group);
  });

  const scopes: (Grant & { denied: boolean })[] = [];
  await eachRow(table('tblScopePrincipal'), (r) => {
    scopes.push({ node: r.requiredInt('scopeNodeID'), principal: r.requiredInt('scopePrinID'), denied: r.bit('scopeIsDenied') ?? false, line: r.row.line });
  });
  const roles: (Grant & { type: number })[] = [];
  await eachRow(table('tblPrincipalRole'), (r) => {
    roles.push({ node: r.requiredInt('prinRoleNodeID'), principal: r.requiredInt('prinRolePrinID'), type: r.requiredInt('prinRoleTypeID'), line: r.row.line });
  });

  const siop = tables.get('tblSiopWhiteList');
  const addins = siop
    ? await keyed(siop, (r) => r.guid('siopID') ?? '', (r) => ({ name: r.text('siopName') ?? '', url: r.text('siopUrl') ?? '', line: r.row.line }))
    : null;

  return { dir, files, chat: table('tblChat'), nodes, principals, affiliations, scopes, roles, addins, lookups };
}

async function loadLookups(tables: Map<TableName, OpenTable>, notes: Notes): Promise<Lookups> {
  let roles: ReadonlyMap<number, RoleKind> = FALLBACK_ROLES;
  const roleTable = tables.get('tblRoleType');
  if (roleTable) {
    const byId = await keyed(roleTable, (r) => r.requiredInt('rtypeID'), (r) => r.text('rtypeDesc') ?? '');
    const resolved = new Map<number, RoleKind>();
    for (const [id, desc] of byId) {
      const kind = roleByDescription(desc);
      if (kind) resolved.set(id, kind);
      else notes.warning('role_type_unknown', { type: 'roleType', id: String(id), name: desc }, `Role type ${id} "${desc}" has no pchat equivalent; grants of it are ignored.`);
    }
    roles = resolved;
  } else {
    missingLookupNote(notes, 'tblRoleType', 'roles 1 Member, 2 Manager, 3 Voiced, 4 Creator');
  }

  let principalTypes: ReadonlyMap<number, PrincipalKind> = FALLBACK_PRINCIPAL_TYPES;
  const typeTable = tables.get('tblPrincipalType');
  if (typeTable) {
    principalTypes = await keyed(typeTable, (r) => r.requiredInt('ptypeID'), (r): PrincipalKind => {
      // The flags, where dumped, are authoritative; the description is the fallback.
      if (r.bit('ptypeIsSystemUser')) return 'system';
      if (r.bit('ptypeIsUser')) return 'user';
      return principalKindByDescription(r.text('ptypeDesc') ?? '') ?? 'group';
    });
  } else {
    missingLookupNote(notes, 'tblPrincipalType', 'types 4 SystemUser, 5 User, 8 DC, 9 Group, 10 Folder');
  }

  let enums: ReadonlyMap<number, string> = FALLBACK_ENUMS;
  const enumTable = tables.get('tblEnumValue');
  if (enumTable) {
    enums = await keyed(enumTable, (r) => r.requiredInt('valueID'), (r) => (r.text('attributeValue') ?? '').trim().toLowerCase());
  } else {
    missingLookupNote(notes, 'tblEnumValue', 'visibility 2 private, 3 scope, 6 open; behavior 4 normal, 5 auditorium');
  }
  return { roles, principalTypes, enums };
}
