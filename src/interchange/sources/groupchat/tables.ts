import type { TableSpec } from './dumpFiles.js';

/**
 * The tables a Group Chat dump may hold, with the columns the reader needs (required) and the
 * other documented ones (optional, accepted and ignored unless used). `order` is every
 * documented column in the documented order (../shared/docs/domain.md): how a plain `bcp <table>
 * out -c` file, which has no header, is read. `text` names the columns that may hold a tab or a
 * line break, which make a plain file ambiguous. docs/groupchat-dump.md lists the same, with how
 * to produce each file.
 */
export const TABLES = {
  tblNode: {
    table: 'tblNode',
    required: ['nodeID', 'parentID', 'nodeType', 'nodeName', 'nodeDesc', 'invite', 'logged', 'filePost', 'disabled', 'behavior', 'visibility', 'siopID'],
    optional: ['nodeGuid', 'nodeAddedBy', 'nodeAddedOn', 'nodeUpdatedBy', 'nodeUpdatedOn', 'purgedOn', 'topic'],
    order: [
      'nodeID', 'nodeGuid', 'parentID', 'nodeType', 'nodeName', 'nodeDesc', 'invite', 'logged', 'filePost', 'disabled', 'behavior', 'visibility',
      'siopID', 'nodeAddedBy', 'nodeAddedOn', 'nodeUpdatedBy', 'nodeUpdatedOn', 'purgedOn',
    ],
    text: ['nodeName', 'nodeDesc'],
  },
  tblChat: {
    table: 'tblChat',
    required: ['channelId', 'chatId', 'chatDate', 'userId', 'content'],
    optional: ['isAlert', 'rtf'],
    order: ['channelId', 'chatId', 'chatDate', 'userId', 'isAlert', 'content', 'rtf'],
    text: ['content', 'rtf'],
  },
  tblPrincipal: {
    table: 'tblPrincipal',
    required: ['prinID', 'prinUri', 'prinName', 'prinDisplayName', 'prinEmail', 'prinDisabled', 'prinTypeID'],
    optional: [
      'prinGuid', 'prinCompanyName', 'prinADPath', 'prinADUserPrincipalName', 'prinPoolID', 'prinPolicyID',
      'prinAddedBy', 'prinAddedOn', 'prinUpdatedBy', 'prinUpdatedOn', 'prinVerifiedOn',
    ],
    order: [
      'prinID', 'prinGuid', 'prinUri', 'prinName', 'prinDisplayName', 'prinCompanyName', 'prinEmail', 'prinADPath', 'prinADUserPrincipalName',
      'prinDisabled', 'prinTypeID', 'prinPoolID', 'prinPolicyID', 'prinAddedBy', 'prinAddedOn', 'prinUpdatedBy', 'prinUpdatedOn', 'prinVerifiedOn',
    ],
    text: ['prinUri', 'prinName', 'prinDisplayName', 'prinCompanyName', 'prinEmail', 'prinADPath', 'prinADUserPrincipalName'],
  },
  tblPrincipalAffiliations: {
    table: 'tblPrincipalAffiliations',
    required: ['principalID', 'affiliationID'],
    optional: ['index', 'updatedBy'],
    order: ['principalID', 'affiliationID', 'index', 'updatedBy'],
    text: [],
  },
  tblPrincipalMembers: { table: 'tblPrincipalMembers', required: ['prinID', 'memberADPath'], optional: [], order: ['prinID', 'memberADPath'], text: ['memberADPath'] },
  tblScopePrincipal: {
    table: 'tblScopePrincipal',
    required: ['scopeNodeID', 'scopePrinID', 'scopeIsDenied'],
    optional: ['scopeUpdatedBy'],
    order: ['scopeNodeID', 'scopePrinID', 'scopeIsDenied', 'scopeUpdatedBy'],
    text: [],
  },
  tblPrincipalRole: {
    table: 'tblPrincipalRole',
    required: ['prinRoleNodeID', 'prinRolePrinID', 'prinRoleTypeID'],
    optional: ['prinRoleUpdatedBy'],
    order: ['prinRoleNodeID', 'prinRolePrinID', 'prinRoleTypeID', 'prinRoleUpdatedBy'],
    text: [],
  },
  tblRoleType: { table: 'tblRoleType', required: ['rtypeID', 'rtypeDesc'], optional: ['rtypeAllowedPermSet'], order: ['rtypeID', 'rtypeDesc', 'rtypeAllowedPermSet'], text: ['rtypeDesc'] },
  tblPrincipalType: {
    table: 'tblPrincipalType',
    required: ['ptypeID', 'ptypeDesc'],
    optional: ['ptypeIsSystemUser', 'ptypeIsUser'],
    order: ['ptypeID', 'ptypeDesc', 'ptypeIsSystemUser', 'ptypeIsUser'],
    text: ['ptypeDesc'],
  },
  tblEnumValue: { table: 'tblEnumValue', required: ['valueID', 'attributeValue'], optional: ['attributeID'], order: ['valueID', 'attributeID', 'attributeValue'], text: ['attributeValue'] },
  tblSiopWhiteList: { table: 'tblSiopWhiteList', required: ['siopID', 'siopName', 'siopUrl'], optional: [], order: ['siopID', 'siopName', 'siopUrl'], text: ['siopName', 'siopUrl'] },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Without these there is no chat to migrate: a dump lacking one is rejected. */
export const REQUIRED_TABLES: readonly TableName[] = ['tblNode', 'tblChat', 'tblPrincipal', 'tblPrincipalAffiliations', 'tblScopePrincipal', 'tblPrincipalRole'];
