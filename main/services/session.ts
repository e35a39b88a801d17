import { existsSync } from 'node:fs';
import { SignetError } from '../core/errors.ts';
import { apiKeysRepository, type ApiKeysRepository } from '../store/api-keys.ts';
import { auditLog, type AuditLog } from '../store/audit.ts';
import { capturesRepository, type CapturesRepository } from '../store/captures.ts';
import { openDb, type Db } from '../store/db.ts';
import { keysRepository, type KeysRepository } from '../store/keys.ts';
import { settingsRepository } from '../store/settings.ts';
import { agreementsRepository, ephemeralRepository } from '../store/workbench.ts';
import { MasterKey, vaultExists, wrapWatcher } from '../store/vault.ts';
import { JobRegistry } from './jobs.ts';
import { processAlive } from './processes.ts';

export type Clock = () => Date;

/**
 * An open keystore: the database, its repositories, the clock, and — once unlocked — the master key.
 * Every adapter (CLI run, HTTP server, Electron window) holds exactly one.
 */
export class Session {
  readonly keys: KeysRepository;
  readonly audit: AuditLog;
  readonly settings: ReturnType<typeof settingsRepository>;
  readonly captures: CapturesRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly ephemeral: ReturnType<typeof ephemeralRepository>;
  readonly agreements: ReturnType<typeof agreementsRepository>;
  /** Long work started from the console (in memory: jobs do not outlive the process). */
  readonly jobs = new JobRegistry();
  /** Captures this session is importing now (a restore refuses while there are any). */
  readonly importing = new Set<string>();
  #master: MasterKey | undefined;
  /** The stored wrap the master key was unlocked from (see `#current`). */
  #unlockedFrom: string | undefined;
  #changedElsewhere = false;
  readonly #storedWrap: () => string | undefined;

  private constructor(
    readonly path: string,
    readonly db: Db,
    readonly clock: Clock,
    evaluatesAtAnotherTime: boolean,
  ) {
    this.keys = keysRepository(db);
    this.audit = evaluatesAtAnotherTime ? withoutNewRows(auditLog(db)) : auditLog(db);
    this.settings = settingsRepository(db);
    this.captures = capturesRepository(db);
    this.apiKeys = apiKeysRepository(db);
    this.ephemeral = ephemeralRepository(db);
    this.agreements = agreementsRepository(db);
    this.#storedWrap = wrapWatcher(db);
    this.#removeStaleImports();
  }

  /**
   * A capture import killed half-way left rows marked 'importing': they were never visible; drop them.
   * An import whose process still runs (the console's, while the CLI opens the same store) is kept.
   */
  #removeStaleImports(): void {
    const stale = this.captures.unfinishedImports().filter((row) => row.importerPid === null || !processAlive(row.importerPid));
    if (stale.length === 0 || this.db.readonly) return;
    this.transaction(() => stale.forEach((row) => this.captures.delete(row.id)));
  }

  /**
   * Opens (and migrates) the store; `create` allows a new file, as `signet init` needs. `evaluateAt` (the
   * CLI's --now) sets the clock to that moment for evaluating (statuses, expiry, what is due) and makes
   * the audit log refuse rows: the keystore's history is stamped with the real time only.
   */
  static open(path: string, options: { create?: boolean; clock?: Clock; evaluateAt?: Date; nativeBinding?: string } = {}): Session {
    if (!options.create && path !== ':memory:' && !existsSync(path)) {
      throw new SignetError('ERR_STORE_NOT_INITIALIZED', `no keystore at ${path} (run "signet init" to create one)`);
    }
    const db = openDb(path, { create: options.create ?? false, ...(options.nativeBinding && { nativeBinding: options.nativeBinding }) });
    const { evaluateAt } = options;
    const clock = evaluateAt ? () => new Date(evaluateAt) : (options.clock ?? (() => new Date()));
    return new Session(path, db, clock, evaluateAt !== undefined);
  }

  get initialized(): boolean {
    return vaultExists(this.db);
  }

  get unlocked(): boolean {
    return this.#current() !== undefined;
  }

  /**
   * The master key while the stored wrap is the one it was unlocked from. Another process may restore
   * another keystore's backup (or change the passphrase) under a console left unlocked: the key in
   * memory would then seal new secrets that the store's own passphrase can never open. Locked instead.
   */
  #current(): MasterKey | undefined {
    if (this.#master && this.#storedWrap() !== this.#unlockedFrom) {
      this.lock();
      this.#changedElsewhere = true;
    }
    return this.#master;
  }

  /** The master key, or ERR_LOCKED: services call this only where private material is touched. */
  get master(): MasterKey {
    const master = this.#current();
    if (master) return master;
    if (!this.initialized) throw new SignetError('ERR_STORE_NOT_INITIALIZED', 'this keystore has no passphrase yet (run "signet init")');
    throw new SignetError(
      'ERR_LOCKED',
      this.#changedElsewhere
        ? 'the keystore was locked: another Signet process restored it or changed its passphrase; unlock it with its passphrase'
        : 'the keystore is locked: unlock it with its passphrase',
    );
  }

  /** ERR_LOCKED (as `master` words it) unless unlocked: for changes that need the passphrase's consent, not the key. */
  requireUnlocked(): void {
    void this.master;
  }

  setMaster(master: MasterKey): void {
    this.#master?.destroy();
    this.#master = master;
    this.#unlockedFrom = this.#storedWrap();
    this.#changedElsewhere = false;
  }

  lock(): void {
    this.#changedElsewhere = false;
    this.jobs.cancelAll();
    this.#master?.destroy();
    this.#master = undefined;
  }

  /** Runs `work` in one immediate transaction: it all lands, or nothing does. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  close(): void {
    this.lock();
    if (this.db.open) this.db.close();
  }
}

/**
 * The audit log of a session evaluating at another moment: it takes no rows, and a change that would
 * add one fails inside its transaction, so nothing of it lands.
 */
function withoutNewRows(log: AuditLog): AuditLog {
  return {
    ...log,
    append() {
      throw new SignetError('ERR_BAD_INPUT', '--now only evaluates at another moment: this would add to the audit log, which takes the real time only (run it without --now)');
    },
  };
}
