import type { TableSpec } from './dumpFiles.js';

/**
 * The tables a Group Chat dump may hold, with the columns the reader needs (required) and the
 * other documented ones (optional, accepted and ignored unless used). docs/groupchat-dump.md
 * lists the same, with how to produce each file.
 */
export const TABLES = {
  tblNode: {
    table: 'tblNode',
    required: ['nodeID', 'parentID', 'nodeType', 'nodeName', 'nodeDesc', 'invite', 'logged', 'filePost', 'disabled', 'behavior', 'visibility', 'siopID'],
    optional: ['nodeGuid', 'nodeAddedBy', 'nodeAddedOn', 'nodeUpdatedBy', 'nodeUpdatedOn', 'purgedOn', 'topic'],
  },
  tblChat: {
    table: 'tblChat',
    required: ['channelId', 'chatId', 'chatDate', 'userId', 'content'],
    optional: ['isAlert', 'rtf'],
  },
  tblPrincipal: {
    table: 'tblPrincipal',
    required: ['prinID', 'prinUri', 'prinName', 'prinDisplayName', 'prinEmail', 'prinDisabled', 'prinTypeID'],
    optional: [
      'prinGuid', 'prinCompanyName', 'prinADPath', 'prinADUserPrincipalName', 'prinPoolID', 'prinPolicyID',
      'prinAddedBy', 'prinAddedOn', 'prinUpdatedBy', 'prinUpdatedOn', 'prinVerifiedOn',
    ],
  },
  tblPrincipalAffiliations: { table: 'tblPrincipalAffiliations', required: ['principalID', 'affiliationID'], optional: ['index', 'updatedBy'] },
  tblPrincipalMembers: { table: 'tblPrincipalMembers', required: ['prinID', 'memberADPath'], optional: [] },
  tblScopePrincipal: { table: 'tblScopePrincipal', required: ['scopeNodeID', 'scopePrinID', 'scopeIsDenied'], optional: ['scopeUpdatedBy'] },
  tblPrincipalRole: { table: 'tblPrincipalRole', required: ['prinRoleNodeID', 'prinRolePrinID', 'prinRoleTypeID'], optional: ['prinRoleUpdatedBy'] },
  tblRoleType: { table: 'tblRoleType', required: ['rtypeID', 'rtypeDesc'], optional: ['rtypeAllowedPermSet'] },
  tblPrincipalType: { table: 'tblPrincipalType', required: ['ptypeID', 'ptypeDesc'], optional: ['ptypeIsSystemUser', 'ptypeIsUser'] },
  tblEnumValue: { table: 'tblEnumValue', required: ['valueID', 'attributeValue'], optional: ['attributeID'] },
  tblSiopWhiteList: { table: 'tblSiopWhiteList', required: ['siopID', 'siopName', 'siopUrl'], optional: [] },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Without these there is no chat to migrate: a dump lacking one is rejected. */
export const REQUIRED_TABLES: readonly TableName[] = ['tblNode', 'tblChat', 'tblPrincipal', 'tblPrincipalAffiliations', 'tblScopePrincipal', 'tblPrincipalRole'];
