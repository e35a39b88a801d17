import { notificationsRepository, type NotificationsRepository } from '../../store/notifications.ts';
import type { Session } from '../session.ts';

// One repository per open session: its statements are prepared once, not on every call.
const repositories = new WeakMap<Session, NotificationsRepository>();

export function notificationsOf(session: Session): NotificationsRepository {
  let repository = repositories.get(session);
  if (!repository) {
    repository = notificationsRepository(session.db);
    repositories.set(session, repository);
  }
  return repository;
}
