import { complianceExportContract } from './complianceExport.contract.js';
import { directContract } from './direct.contract.js';
import { directoryContract } from './directory.contract.js';
import { feedsContract } from './feeds.contract.js';
import { filesContract } from './files.contract.js';
import type { StoreFactory } from './harness.js';
import { importsContract } from './imports.contract.js';
import { mentionsContract } from './mentions.contract.js';
import { messagesContract } from './messages.contract.js';
import { ownMessagesContract } from './ownMessages.contract.js';
import { readingContract } from './reading.contract.js';
import { repliesContract } from './replies.contract.js';
import { reactionsContract } from './reactions.contract.js';
import { sessionsContract } from './sessions.contract.js';
import { sipContract } from './sip.contract.js';

export type { StoreFactory } from './harness.js';

/** Every case a Store implementation must pass. Each new store's test file calls this once. */
export function storeContract(factory: StoreFactory): void {
  directoryContract(factory);
  messagesContract(factory);
  ownMessagesContract(factory);
  repliesContract(factory);
  reactionsContract(factory);
  importsContract(factory);
  readingContract(factory);
  mentionsContract(factory);
  sipContract(factory);
  sessionsContract(factory);
  filesContract(factory);
  complianceExportContract(factory);
  directContract(factory);
  feedsContract(factory);
}
