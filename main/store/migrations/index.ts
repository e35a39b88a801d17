import keystore from './001-keystore.ts';
import captures from './002-captures.ts';
import notifications from './003-notifications.ts';
import workbench from './004-workbench.ts';
import capturePaging from './005-capture-paging.ts';
import keyList from './006-key-list.ts';
import captureImporter from './007-capture-importer.ts';
import keyAlgPinned from './008-key-alg-pinned.ts';
import bodyCapture from './009-body-capture.ts';

/** Numbered migrations, applied in order inside one transaction each; index + 1 = schema version. */
export const migrations: readonly string[] = [keystore, captures, notifications, workbench, capturePaging, keyList, captureImporter, keyAlgPinned, bodyCapture];
