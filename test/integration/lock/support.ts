import { dispatch } from '../../../main/api/dispatch.ts';
import { Session } from '../../../main/services/session.ts';

/** What a change would show in: the keys, the settings and the audit log, read from the file as it is now. */
export async function keystoreState(path: string): Promise<unknown> {
  const session = Session.open(path);
  try {
    return {
      keys: await dispatch(session, 'keys.list', {}),
      settings: await dispatch(session, 'settings.get', {}),
      audit: await dispatch(session, 'audit.list', {}),
    };
  } finally {
    session.close();
  }
}
